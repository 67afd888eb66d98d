"`hugtweets classify train` / `classify predict` as a user runs them, offline, on a tiny local BERT."
import json
import torch
from pathlib import Path
import pytest
from conftest import assert_one_line_error
from hugtweets.core import files_containing
from hugtweets.learner import learnable_sample
from hugtweets.tiny import tiny_bert

@pytest.fixture
def cli(cli, monkeypatch, tmp_path):
    "conftest's in-process `cli`, run in `tmp_path`."
    monkeypatch.chdir(tmp_path)
    return cli

@pytest.fixture(scope="module")
def data():
    df = learnable_sample(160, labels=("ham", "spam"), seed=3)
    return df, tiny_bert(df.text.tolist(), ["ham", "spam"])

def test_train_then_predict(run_cli, data, tmp_path, fake_secrets):
    df, model = data
    df.to_csv(tmp_path/"train.csv", index=False)
    proc = run_cli("classify", "train", tmp_path/"train.csv", "--model", model, "--out", tmp_path/"clf", "--epochs", "3", "--lr", "3e-3")
    assert proc.returncode == 0, proc.stderr
    metrics = dict(l.split("\t") for l in proc.stdout.splitlines() if "\t" in l)
    assert {"train_loss", "valid_loss", "accuracy", "f1_spam", "lr"} <= set(metrics)
    out = tmp_path/"clf"
    assert {"config.json", "tokenizer.json", "README.md", "model.safetensors"} <= {p.name for p in out.iterdir()}
    assert json.loads((out/"config.json").read_text())["id2label"] == {"0": "ham", "1": "spam"}
    assert files_containing(out, fake_secrets.values()) == []
    proc = run_cli("classify", "predict", out, "spamful the spamly", "hamness of hamly")
    assert proc.returncode == 0, proc.stderr
    lines = [l.split("\t") for l in proc.stdout.splitlines()]
    assert [l[0] for l in lines] == ["spam", "ham"] and all(0.5 <= float(l[1]) <= 1 for l in lines)

def test_train_jsonl_custom_columns_lr_from_lr_find_wandb(cli, data, tmp_path, monkeypatch, fake_secrets):
    from types import SimpleNamespace
    from fastai.learner import Learner
    calls = []  # lr_find itself runs in nbs/05_modeling.ipynb; here: is its suggestion used?
    monkeypatch.setattr(Learner, "lr_find", lambda self, **kw: calls.append(kw) or SimpleNamespace(valley=2e-3), raising=False)
    import wandb
    wandb.teardown()  # a W&B session of an earlier test in this process would keep its own folder
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_DIR", str(tmp_path/"wb"))
    (tmp_path/"wb").mkdir()
    df, model = data
    df.rename(columns={"text": "body", "label": "kind"}).to_json(tmp_path/"train.jsonl", orient="records", lines=True)
    proc = cli("classify", "train", tmp_path/"train.jsonl", "--model", model, "--out", tmp_path/"clf",
                   "--text-col", "body", "--label-col", "kind", "--epochs", "1", "--wandb")
    assert proc.returncode == 0, proc.stderr
    assert float(dict(l.split("\t") for l in proc.stdout.splitlines() if "\t" in l)["lr"]) == 2e-3 and len(calls) == 1
    assert (tmp_path/"clf"/"README.md").exists() and not (tmp_path/"models").exists()
    runs = list((tmp_path/"wb"/"wandb").glob("offline-run-*"))
    assert len(runs) == 1 and list(runs[0].glob("run-*.wandb"))
    assert files_containing(tmp_path, fake_secrets.values()) == []
    proc = cli("classify", "train", tmp_path/"train.jsonl", "--model", model, "--out", tmp_path/"clf")
    assert_one_line_error(proc, "already exists", "--force")

@pytest.mark.parametrize("change, fragments", [
    (lambda df: df.drop(columns="label"), ("column 'label' not found", "--label-col")),
    (lambda df: df.assign(label="spam"), ("only one class",)),
    (lambda df: df.assign(text=[""] * len(df)), ("empty 'text'",)),
])
def test_bad_data_is_one_line_error(cli, data, tmp_path, change, fragments):
    df, model = data
    change(df).to_csv(tmp_path/"bad.csv", index=False)
    proc = cli("classify", "train", tmp_path/"bad.csv", "--model", model, "--out", tmp_path/"clf")
    assert_one_line_error(proc, *fragments)
    assert not (tmp_path/"clf").exists() and not list(tmp_path.glob(".clf*"))

def test_unknown_model_offline_and_missing_files(cli, data, tmp_path):
    df, _ = data
    df.to_csv(tmp_path/"train.csv", index=False)
    proc = cli("classify", "train", tmp_path/"train.csv", "--model", "someone/not-a-model", "--out", tmp_path/"clf")
    assert_one_line_error(proc, "unknown model 'someone/not-a-model'")
    assert not (tmp_path/"clf").exists()
    assert_one_line_error(cli("classify", "train", tmp_path/"nope.csv", "--model", "x", "--out", tmp_path/"o"), "does not exist")
    assert_one_line_error(cli("classify", "predict", tmp_path/"no-model", "hello"), "unknown model")
    assert_one_line_error(cli("classify", "predict", tmp_path/"no-model", " "), "non-empty texts")
