"tools/tidy_outputs.py keeps what a lesson's reader should see: fit tables and results, not progress-bar refreshes."
import importlib.util, json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("tidy_outputs", ROOT/"tools"/"tidy_outputs.py")
tidy_outputs = importlib.util.module_from_spec(spec); spec.loader.exec_module(tidy_outputs)

FIT = ("█\repoch     train_loss  valid_loss  time    \n█\r\rEpoch 1/1 : |------| 0.00% [0/20 00:00<?]"
       "\rEpoch 1/1 : |██████| 100.00% [20/20 00:00<00:00]\r\r0         0.700393    0.692364    00:00     \n")

def test_fit_output_keeps_the_table_and_drops_the_bars():
    out = tidy_outputs.tidy([{"output_type": "stream", "name": "stdout", "text": [FIT]}])
    assert "".join(out[0]["text"]) == "epoch     train_loss  valid_loss  time\n0         0.700393    0.692364    00:00\n"

def test_stderr_and_streams_that_were_only_bars_are_dropped_plots_kept():
    plot = {"output_type": "display_data", "data": {"image/png": "iVBOR", "text/plain": ["<Figure>"]}, "metadata": {}}
    outs = [{"output_type": "stream", "name": "stderr", "text": ["Loading weights: 100%|##| 41/41\n"]},
            {"output_type": "stream", "name": "stdout", "text": ["█\r |----| 0.00% [0/5 00:00<?]\r"]}, plot]
    assert tidy_outputs.tidy(outs) == [plot]

def test_main_rewrites_every_code_cell(tmp_path):
    nb = {"cells": [{"cell_type": "markdown", "source": ["# t"]},
                    {"cell_type": "code", "source": ["learn.fit(1)"], "outputs": [{"output_type": "stream", "name": "stdout", "text": [FIT]}]}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    p = tmp_path/"n.ipynb"; p.write_text(json.dumps(nb))
    tidy_outputs.main([str(p)])
    text = "".join(json.loads(p.read_text())["cells"][1]["outputs"][0]["text"])
    assert "Epoch 1/1" not in text and "0.700393" in text
