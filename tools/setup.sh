#!/usr/bin/env bash
# Build ./.venv with hugtweets and its whole stack, the way the README and CI do.
#   bash tools/setup.sh            # core + [dev] (notebooks, tests, docs)
#   EXTRAS=dev,interpret bash tools/setup.sh
# Why a script and not a plain `pip install -e .[dev]`:
#   * a plain resolve of fastai pulls the newest CUDA torch (~4 GB). When a local CPU torch wheel
#     is on disk (pip's find-links), we override torch to it;
#   * torchvision's PyPI wheel is a CUDA build that breaks a CPU torch (and with it transformers'
#     Trainer and pipeline). hugtweets uses only fastai's text API, so torchvision is excluded;
#   * PYTHONDONTWRITEBYTECODE=1 would make every import 2-3x slower, so bytecode is compiled now.
# pip cannot leave out a dependency's dependency; uv's --overrides and --excludes can.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
EXTRAS=${EXTRAS:-dev}

if ! command -v uv >/dev/null 2>&1; then "$PY" -m pip install -q uv; fi
UV="$(command -v uv || true)"; [ -n "$UV" ] || UV="$PY -m uv"

[ -x .venv/bin/python ] || $UV venv -q --python "$PY" .venv

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
echo torchvision > "$tmp/excludes.txt"
: > "$tmp/overrides.txt"
args=()
links="${PIP_FIND_LINKS:-$("$PY" -m pip config get global.find-links 2>/dev/null || true)}"
for dir in $links; do
  wheel=$(ls "$dir"/torch-*+cpu-*.whl 2>/dev/null | sort -V | tail -1 || true)
  if [ -n "$wheel" ]; then
    version=$(basename "$wheel" | cut -d- -f2)
    echo "torch==$version" > "$tmp/overrides.txt"
    args+=(--find-links "$dir")
    echo "setup: using the local CPU torch $version from $dir"
    break
  fi
done

VIRTUAL_ENV="$PWD/.venv" $UV pip install --compile-bytecode \
  --overrides "$tmp/overrides.txt" --excludes "$tmp/excludes.txt" "${args[@]}" \
  -e ".[$EXTRAS]"
echo "setup: done. Activate with: source .venv/bin/activate"
