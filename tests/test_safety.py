"""Data from strangers never runs, leaks or lies: checkpoints that would run code, control characters from data, forged
output lines, outputs that overwrite inputs, runs that lie about their state, broken model folders, and inputs that cost
more than their size. Each test reproduces one attack or fault, then checks the safe behaviour."""
import contextlib, io, json, os, pickle, time
from pathlib import Path
from types import SimpleNamespace
import pytest
from conftest import assert_one_line_error

OFFLINE = {"HUGTWEETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "WANDB_MODE": "offline",
           "WANDB_SILENT": "true", "TOKENIZERS_PARALLELISM": "false", "OMP_NUM_THREADS": "1"}

@pytest.fixture(autouse=True)
def offline(monkeypatch):
    for k, v in OFFLINE.items(): monkeypatch.setenv(k, v)

def cli(*args):
    "Run `hugtweets ARGS` in this process; stdout, stderr and the exit code."
    from hugtweets.cli import main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try: rc = main([str(a) for a in args])
        except SystemExit as e: rc = e.code
    return SimpleNamespace(returncode=rc, stdout=out.getvalue(), stderr=err.getvalue())

class Payload:
    "A pickle that, when loaded, creates the file `path`: the proof that loading ran code."
    def __init__(self, path): self.path = str(path)
    def __reduce__(self): return (os.system, (f"touch {self.path}",))

@pytest.fixture(scope="module")
def classifier(tmp_path_factory):
    "A small CSV and a tiny BERT classifier trained on it (a saved folder)."
    from hugtweets.learner import learnable_sample, train_classifier
    from hugtweets.tiny import tiny_bert
    d = tmp_path_factory.mktemp("clf")
    df = learnable_sample(48, labels=("ham", "spam"), seed=3)
    df.to_csv(d/"train.csv", index=False)
    base = tiny_bert(df.text.tolist(), ["ham", "spam"], path=d/"bert")
    train_classifier(d/"train.csv", base, d/"model", epochs=1, lr=3e-3, bs=8)
    return SimpleNamespace(csv=d/"train.csv", base=base, model=d/"model")

def interrupted_classifier(tmp_path, classifier, monkeypatch):
    "A `classify train` run stopped after epoch 1 of 2: its checkpoint area."
    import hugtweets.learner as L
    def interrupt(epoch):
        if epoch == 1: raise KeyboardInterrupt
    monkeypatch.setattr(L, "kill_hook", interrupt)
    with pytest.raises(KeyboardInterrupt): L.train_classifier(classifier.csv, classifier.base, tmp_path/"clf", epochs=2, lr=3e-3, bs=8)
    monkeypatch.undo()
    for k, v in OFFLINE.items(): monkeypatch.setenv(k, v)
    return tmp_path/"clf.checkpoints"

# --- checkpoints never run code ---

def test_resume_saves_random_states_as_json(tmp_path, classifier, monkeypatch):
    area = interrupted_classifier(tmp_path, classifier, monkeypatch)
    ckpt = area/"epoch-1"
    assert (ckpt/"random.json").is_file() and not (ckpt/"random.pth").exists()
    json.loads((ckpt/"random.json").read_text())   # plain JSON

@pytest.mark.parametrize("where", ["random.pth", "model.pth"])
def test_resume_never_runs_a_pickled_payload(tmp_path, classifier, monkeypatch, where):
    area = interrupted_classifier(tmp_path, classifier, monkeypatch)
    ckpt, ran = area/"epoch-1", tmp_path/"PAYLOAD-RAN"
    if where == "random.pth": (ckpt/"random.json").unlink()   # a checkpoint written the old way, by someone else
    (ckpt/where).write_bytes(pickle.dumps(Payload(ran)))
    proc = cli("classify", "train", classifier.csv, "--model", classifier.base, "--out", tmp_path/"clf", "--epochs", "2",
               "--lr", "3e-3", "--batch-size", "8", "--resume")
    assert_one_line_error(proc, "could run code", "--force")
    assert not ran.exists(), "the checkpoint's pickle ran"
    assert not (tmp_path/"clf").exists()
