#!/usr/bin/env bash
# The whole test suite, offline: every notebook top to bottom with nbdev-test, then pytest (tests/).
#   bash tools/test.sh                  # everything
#   bash tools/test.sh nbs/01_tweets.ipynb tests/test_tweets.py   # a subset: notebooks and/or test files
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
source tools/env.sh
nbs=(); pys=()
for a in "$@"; do case "$a" in *.ipynb|nbs|nbs/) nbs+=("$a");; *) pys+=("$a");; esac; done
if [ $# -eq 0 ]; then nbs=(nbs); pys=(tests); fi
# Each notebook runs in a process of its own, as in a fresh kernel: nbdev-test's worker pool would run several
# notebooks in one process, where one notebook's @patch of a fastai class outlives it and meets the next.
for nb in "${nbs[@]}"; do
  echo "== nbdev-test $nb"
  if [ -d "$nb" ]; then find "$nb" -maxdepth 1 -name '*.ipynb' ! -name '_*' | sort; else echo "$nb"; fi |
    xargs -P "${NB_WORKERS:-2}" -I{} "$BIN/nbdev-test" --timing {}
done
if [ ${#pys[@]} -gt 0 ]; then
  echo "== pytest ${pys[*]}"
  set +e
  "$BIN/python" -m pytest -q -p no:cacheprovider "${pys[@]}"
  rc=$?
  set -e
  # pytest exits 5 when it collects nothing: not a failure of the suite, but say so.
  if [ $rc -eq 5 ]; then echo "pytest: no tests collected"; rc=0; fi
  exit $rc
fi
