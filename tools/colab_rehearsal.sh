#!/usr/bin/env bash
# A stand-in Colab: run lessons as a Colab reader does, in two modes.
#   bash tools/colab_rehearsal.sh                      # every lesson of nbs/index.ipynb, offline and online
#   bash tools/colab_rehearsal.sh 04_datablock 10_bangla_fake_news
#   MODES=offline ONLINE=02_generate,10_bangla_fake_news bash tools/colab_rehearsal.sh   # what .ci/run asks for
# What it stands in for:
#   * Colab's packages: a venv (.colab/venv) under tools/colab/constraints.txt, made from Google's published freeze
#     (see its header for the commit, and for what a CPU machine replaces: the CPU torch, as tools/setup.sh finds it).
#     Colab runs Python 3.13; this uses the Python it is given ($PYTHON, else python3.11: the only one here).
#     Colab's preinstalled set is the wheel's dependencies; hugtweets itself is not installed until a lesson's install
#     cell runs `%pip install hugtweets`, which gets the freshly built wheel (pip's find-links, no index).
#   * No clone: each lesson is copied alone into an empty folder (.colab/work/MODE/LESSON, kept with its outputs).
#   * google.colab: tools/colab/stub, imported at kernel start, so the `#| colab` cells run.
#   * The online branch: HF_ENDPOINT is a local Hub (tests/local_hub.py) serving stand-ins under the lessons' model
#     ids and the real all-MiniLM-L6-v2; Kaggle is tests/local_kaggle.py on kagglesdk's test endpoint
#     (localhost:7777); W&B runs offline.
# Prints one line per lesson and mode (mode, seconds, OK or the first error) and a last line with the counts.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PYTHON:-python3.11}; command -v "$PY" >/dev/null || PY=python3
MODES=${MODES:-offline,online}
WORK=${COLAB_WORK:-$ROOT/.colab}
mkdir -p "$WORK"
UV="$(command -v uv || echo "$PY -m uv")"

# The wheel, as PyPI would get it.
rm -rf "$WORK/dist"
$UV build -q --wheel -o "$WORK/dist" . 2>/dev/null || "$ROOT/.venv/bin/python" -m build -q --wheel --outdir "$WORK/dist" .
whl=$(ls "$WORK/dist"/hugtweets-*.whl)

# The Colab venv, rebuilt when the constraints or the wheel's requirements change.
links="${PIP_FIND_LINKS:-$("$PY" -m pip config get global.find-links 2>/dev/null || true)}"
link_args=(); for d in $links; do link_args+=(--find-links "$d"); done
requires=$("$PY" -c "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(*[l for n in z.namelist() if n.endswith('.dist-info/METADATA') for l in z.read(n).decode().splitlines() if l.startswith('Requires-Dist')], sep='\n')" "$whl")
key=$( (cat tools/colab/constraints.txt; echo "$requires"; "$PY" --version) | sha256sum | cut -c1-16)
VENV="$WORK/venv"
if [ "$(cat "$VENV/.key" 2>/dev/null)" != "$key" ]; then
  echo "rehearsal: building the Colab venv ($("$PY" --version), Colab's pins; a few minutes)"
  rm -rf "$VENV"
  $UV venv -q --seed --python "$PY" "$VENV"
  echo torchvision > "$WORK/excludes.txt"
  VIRTUAL_ENV="$VENV" $UV pip install -q --compile-bytecode -c tools/colab/constraints.txt --excludes "$WORK/excludes.txt" \
    "${link_args[@]}" "$whl[interpret]" kagglehub nbclient ipykernel matplotlib-inline
  VIRTUAL_ENV="$VENV" $UV pip uninstall -q hugtweets
  # Colab has torchvision; PyPI's build breaks a CPU torch (FACTS.md), and the lessons use only fastai's text API.
  # pip (in the install cells) sees it installed through its metadata alone; `import torchvision` fails, as
  # transformers expects of a machine without it.
  site=$("$VENV/bin/python" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
  mkdir -p "$site/torchvision-0.28.0.dist-info"
  printf 'Metadata-Version: 2.1\nName: torchvision\nVersion: 0.28.0\nSummary: metadata only (tools/colab_rehearsal.sh)\n' > "$site/torchvision-0.28.0.dist-info/METADATA"
  echo rehearsal > "$site/torchvision-0.28.0.dist-info/INSTALLER"
  : > "$site/torchvision-0.28.0.dist-info/RECORD"
  echo "$key" > "$VENV/.key"
fi
"$VENV/bin/python" -m pip uninstall -q -y hugtweets 2>/dev/null || true   # a lesson's install cell installs it

lessons=("$@")
if [ ${#lessons[@]} -eq 0 ]; then
  mapfile -t lessons < <("$PY" -c "
import re, json
src = ''.join(''.join(c['source']) for c in json.load(open('nbs/index.ipynb'))['cells'] if c['cell_type'] == 'markdown')
print('\n'.join(re.findall(r'^\|\s*\d+\s*\|\s*\[[^\]]*\]\((\w+)\.ipynb\)', src, flags=re.M)))")
fi

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
args=()
if [[ ",$MODES," == *,online,* ]]; then
  # The project's own venv serves: the stand-ins are built with hugtweets' tiny-model code and the real MiniLM package.
  SERVE_PY=${SERVE_PY:-$ROOT/.venv/bin/python}
  rm -f "$WORK/hub.url" "$WORK/kaggle.url"   # each server writes its URL once it listens
  (cd tests && HUGTWEETS_OFFLINE=1 HF_HUB_OFFLINE=1 HUGTWEETS_CACHE="$WORK/cache/serve" "$SERVE_PY" local_hub.py "$WORK/hub" --standins) > "$WORK/hub.url" &
  pids+=($!)
  (cd tests && "$SERVE_PY" local_kaggle.py --port 7777) > "$WORK/kaggle.url" &
  pids+=($!)
  for _ in $(seq 600); do [ -s "$WORK/hub.url" ] && [ -s "$WORK/kaggle.url" ] && break; sleep 0.2; done
  [ -s "$WORK/hub.url" ] || { echo "rehearsal: the local Hub did not start"; exit 1; }
  [ -s "$WORK/kaggle.url" ] || { echo "rehearsal: the Kaggle stand-in did not start (is port 7777 taken?)"; exit 1; }
  hub=$(cat "$WORK/hub.url")
  [ -n "$hub" ] || { echo "rehearsal: no URL from the local Hub"; exit 1; }
  args+=(--hub "$hub" --kaggle)
fi
[ -n "${ONLINE:-}" ] && args+=(--online "$ONLINE")
"$VENV/bin/python" tools/colab/rehearse.py --work "$WORK/work" --wheels "$WORK/dist" --constraints tools/colab/constraints.txt \
  --modes "$MODES" --jobs "${JOBS:-1}" "${args[@]}" "${lessons[@]}"
