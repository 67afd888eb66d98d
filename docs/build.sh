#!/usr/bin/env bash
# Render the docs site into _site/, and README.md and docs/PYPI.md from nbs/index.ipynb, offline; then check
# every internal link and anchor of the site.
# nbdev 3 renders with Quarto, which cannot be installed here (its binary downloads from GitHub), so we run
# nbdev's own notebook processing from Python (without its Quarto install step) and render with MkDocs.
# Pages are published at nbdev's names (01_tweets.ipynb -> tweets.html), where its cross-references point.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
source tools/env.sh
rm -rf _proc _site
"$BIN/python" docs/prepare.py proc nbs
"$BIN/python" docs/prepare.py site _proc
cp docs/extra.css docs/colab-badge.svg _proc/
"$BIN/mkdocs" build --strict -q -f docs/mkdocs.gen.yml
"$BIN/python" docs/prepare.py markdown _proc _site
test -f _site/index.html
"$BIN/python" - <<'PY'
import sys; from pathlib import Path
sys.path.insert(0, "docs"); from prepare import page_name
missing = [f"{nb} (expected _site/{page_name(nb.stem)}.html)" for nb in sorted(Path("nbs").glob("*.ipynb"))
           if not Path("_site", page_name(nb.stem) + ".html").exists()]
if missing: sys.exit("docs: no page for " + ", ".join(missing))
PY
"$BIN/python" docs/linkcheck.py _site
echo "docs: $(ls _site/*.html | wc -l) pages in _site/"
