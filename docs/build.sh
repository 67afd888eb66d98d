#!/usr/bin/env bash
# Render the docs site into _site/ and README.md from nbs/index.ipynb, offline.
# nbdev 3 renders with Quarto, which cannot be installed here (its binary downloads from GitHub), so we run
# nbdev's own notebook processing from Python (without its Quarto install step) and render with MkDocs.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
source tools/env.sh
rm -rf _proc _site
"$BIN/python" - <<'PY'
from nbdev.serve import proc_nbs
proc_nbs("nbs", n_workers=0, force=True)
PY
"$BIN/python" docs/prepare.py _proc README.md
cp docs/extra.css _proc/
"$BIN/mkdocs" build --strict -q -f docs/mkdocs.yml
test -f _site/index.html
for nb in nbs/*.ipynb; do
  name=$(basename "$nb" .ipynb)
  [ "$name" = index ] || [ -f "_site/$name/index.html" ] || { echo "docs: no page for $nb"; exit 1; }
done
echo "docs: $(find _site -name index.html | wc -l) pages in _site/"
