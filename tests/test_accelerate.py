"The same `hugtweets train` under `accelerate launch` with 2 processes (CPU, gloo): one model, trained by both."
import json, os, shutil, subprocess, sys
from pathlib import Path
import pytest
from conftest import cli_env
from test_generate import write_dataset

def test_train_with_two_processes(tmp_path):
    from hugtweets.tiny import tiny_gpt2
    from hugtweets.generate import load_tweets
    data = write_dataset(tmp_path/"dataset", n=40)
    base = tiny_gpt2(list(load_tweets(data)["train"]["text"]), path=tmp_path/"base")
    accelerate = Path(sys.executable).parent/"accelerate"
    # `--multi_gpu` starts the processes with torchrun; with no GPU, accelerate trains on CPU with gloo.
    # (`--cpu` alone would start a single process: several CPU processes need mpirun.)
    cmd = [accelerate, "launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1", "--mixed_precision", "no",
           "--dynamo_backend", "no", "--main_process_port", "0", "-m", "hugtweets.cli",
           "train", data, "--model", base, "--out", "model", "--epochs", "1", "--lr", "3e-3"]
    proc = subprocess.run([str(c) for c in cmd], cwd=tmp_path, capture_output=True, text=True, timeout=600,
                          env=cli_env(CUDA_VISIBLE_DEVICES="", OMP_NUM_THREADS=1))
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = tmp_path/"model"
    card = (out/"README.md").read_text()
    assert "| processes | 2 |" in card and "| effective batch size | 8 |" in card, card
    assert proc.stdout.count("saved model") == 1                     # only the main process writes and reports
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base", "dataset", "model"]   # no temporary folders left
    state = json.loads((out/"trainer_state.json").read_text())
    assert any("eval_valid_loss" in e for e in state["log_history"])
    from hugtweets.generate import generate
    assert len(generate(out, "engine", n=2, seed=0)) == 2
