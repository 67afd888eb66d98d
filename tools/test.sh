#!/usr/bin/env bash
# The whole test suite, offline: every notebook top to bottom with nbdev-test, then pytest (tests/).
#   bash tools/test.sh                  # everything
#   bash tools/test.sh nbs/01_tweets.ipynb tests/test_tweets.py   # a subset: notebooks and/or test files
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
source tools/env.sh
nbs=(); pys=()
for a in "$@"; do case "$a" in *.ipynb) nbs+=("$a");; *) pys+=("$a");; esac; done
if [ $# -eq 0 ]; then nbs=(nbs); pys=(tests); fi
for nb in "${nbs[@]}"; do
  echo "== nbdev-test $nb"
  "$BIN/nbdev-test" --n-workers "${NB_WORKERS:-2}" --timing "$nb"
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
