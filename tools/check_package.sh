#!/usr/bin/env bash
# Build the sdist and wheel as the release workflow does, check them as PyPI will, and prove the Colab case:
#   * `twine check --strict` on both (the long description renders on PyPI);
#   * the long description (docs/PYPI.md) has no relative links and no clone-only commands;
#   * `uv pip compile` of the wheel against Colab-like pins (tools/colab-constraints.txt) keeps that torch:
#     `pip install hugtweets` in Colab does not replace Colab's torch. Resolution only, nothing is installed.
# Needs PyPI (the build backend and the resolution); about 30 s.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
UV="$(command -v uv || echo "$BIN/python -m uv")"
rm -rf dist
"$BIN/python" -m build --installer uv --outdir dist . >/dev/null 2>&1 || "$BIN/python" -m build --outdir dist .
"$BIN/python" -m twine check --strict dist/*
"$BIN/python" - <<'PY'
import glob, sys, zipfile
from email import message_from_bytes
sys.path.insert(0, "docs"); from prepare import relative_links
whl, = glob.glob("dist/*.whl")
with zipfile.ZipFile(whl) as z: meta = message_from_bytes(z.read(next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))))
body = meta.get_payload()
assert meta["Description-Content-Type"] == "text/markdown", meta["Description-Content-Type"]
bad = relative_links(body)
if bad: sys.exit(f"package: the long description has relative links, broken on PyPI: {bad}")
for clone_only in ("tools/setup.sh", ".venv/bin"):
    if clone_only in body: sys.exit(f"package: the long description tells pip users to run {clone_only!r}, which exists only in a clone")
print(f"package: long description ok ({len(body)} characters, no relative links)")
import tarfile
sdist, = glob.glob("dist/*.tar.gz")
with zipfile.ZipFile(whl) as z: in_wheel = [n for n in z.namelist() if n.endswith("/LICENSE") and "Apache License" in z.read(n).decode()]
with tarfile.open(sdist) as t: in_sdist = [m.name for m in t.getmembers() if m.name.endswith("/LICENSE")]
if not in_wheel or not in_sdist: sys.exit(f"package: the licence text is missing (wheel: {in_wheel}, sdist: {in_sdist})")
print(f"package: the licence text ships in the wheel ({in_wheel[0]}) and the sdist")
PY
whl=$(ls dist/*.whl)
out=$(mktemp); trap 'rm -f "$out"' EXIT
$UV pip compile -q --no-config --index-url https://pypi.org/simple --python-platform x86_64-manylinux_2_28 --python-version 3.12 \
  -c tools/colab-constraints.txt -o "$out" - <<<"hugtweets @ file://$PWD/$whl"
for pin in $(grep -v '^#' tools/colab-constraints.txt); do
  grep -qx "$pin" "$out" || { echo "package: resolving the wheel against Colab's pins did not keep $pin:"; grep -E '^torch' "$out"; exit 1; }
done
echo "package: in a Colab-like environment, pip keeps $(grep -v '^#' tools/colab-constraints.txt | tr '\n' ' ')"
