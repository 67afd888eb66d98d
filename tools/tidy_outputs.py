"""Keep the outputs of a notebook that teach, after `nbdev-test --save` stored everything a run printed.

    python tools/tidy_outputs.py nbs/03_learner.ipynb [...]

Outside Jupyter, fastai's and transformers' progress bars print as text: every refresh of every bar ends up in
the notebook. This keeps, of each text stream, only what a reader would see once the bars are gone (fastai's
table of epochs, printed results) and drops stderr (progress bars and library warnings). Plots, tables and
printed results are kept as they are. Run `nbdev-clean` afterwards.
"""
import json, sys
from pathlib import Path

BAR_MARKS = ("█", "Epoch ", "|")  # what a refreshed progress line starts with once `\r` has been applied


def settled(text: str) -> str:
    "What a terminal would show: each line's last carriage-return segment, progress-bar lines dropped."
    lines = (line.split("\r")[-1].rstrip() for line in text.split("\n"))
    return "\n".join(l for l in lines if l and not l.lstrip().startswith(BAR_MARKS)) + "\n"


def tidy(outputs: list) -> list:
    "The outputs without stderr, and stdout streams settled; streams left empty are dropped."
    kept = []
    for o in outputs:
        if o.get("output_type") == "stream":
            if o.get("name") == "stderr": continue
            text = settled("".join(o["text"]))
            if not text.strip(): continue
            o = {**o, "text": text.splitlines(keepends=True)}
        kept.append(o)
    return kept


def main(paths):
    for p in map(Path, paths):
        nb = json.loads(p.read_text())
        for c in nb["cells"]:
            if c["cell_type"] == "code": c["outputs"] = tidy(c.get("outputs", []))
        p.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__": main(sys.argv[1:])
