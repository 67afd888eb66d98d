"""Interrupted training resumes: `train` and `classify train` killed by SIGTERM right after the first epoch's checkpoint
(the deterministic test hook `HUGTWEETS_TEST_KILL_AFTER_EPOCH`), then `--resume` finishes the run.

Run 1, uninterrupted, gives the reference loss; run 2 is the CLI in a subprocess, killed mid-fit; run 3 is the CLI with
`--resume`. Runs 1 and 3 run in this process: the CLI's start-up time is not what is tested."""
import contextlib, io, json, os, random
from pathlib import Path
from types import SimpleNamespace
import pytest
import torch
from conftest import assert_one_line_error

OFFLINE = {"HUGTWEETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "WANDB_MODE": "offline",
           "WANDB_SILENT": "true", "TOKENIZERS_PARALLELISM": "false", "OMP_NUM_THREADS": "1"}
KILL = {"HUGTWEETS_TEST_KILL_AFTER_EPOCH": "1"}

@pytest.fixture(autouse=True)
def offline(monkeypatch):
    for k, v in OFFLINE.items(): monkeypatch.setenv(k, v)
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)

def cli(*args):
    "Run `hugtweets ARGS` in this process (same parser and error handler as the console script; the imports are paid once)."
    from hugtweets.cli import main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try: rc = main([str(a) for a in args])
        except SystemExit as e: rc = e.code
    return SimpleNamespace(returncode=rc, stdout=out.getvalue(), stderr=err.getvalue())

def tree(root) -> set[str]:
    "Every path under `root`, relative, for before/after comparisons."
    return {str(p.relative_to(root)) for p in Path(root).rglob("*")}

def assert_killed_mid_fit(proc, root, before, out, scratch):
    "The run died (non-zero), left its checkpoint area with one checkpoint, and nothing else: no output, no temporary folder."
    assert proc.returncode != 0, proc.stdout + proc.stderr
    area = out.with_name(out.name + ".checkpoints")
    assert (area/"hugtweets-checkpoints.json").is_file()
    assert {p for p in tree(root) - before if not p.startswith(area.name + os.sep)} == {area.name}, tree(root) - before
    assert not list(scratch.iterdir()), list(scratch.iterdir())   # nothing in TMPDIR either
    return area

def tweet_dataset(path, n=80, seed=0, handles=("ada", "grace")):
    "A small `hugtweets dataset`-format folder."
    rnd, path = random.Random(seed), Path(path)
    words = "engine loom cards poetry compiler bug navy moth machine tea marathon café numbers".split()
    rows = [{"text": " ".join(rnd.choice(words) for _ in range(rnd.randint(3, 12))), "handle": h} for h in handles for _ in range(n)]
    rnd.shuffle(rows)
    path.mkdir(parents=True)
    cut = len(rows) // 8
    for split, part in (("valid", rows[:cut]), ("train", rows[cut:])):
        (path/f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in part), encoding="utf-8")
    return path

def final_eval_loss(model_dir) -> float:
    "The last validation loss in a saved tweet model's `trainer_state.json`."
    log = json.loads((Path(model_dir)/"trainer_state.json").read_text())["log_history"]
    return [e["eval_valid_loss"] for e in log if "eval_valid_loss" in e][-1]

def test_train_resumes_after_kill(run_cli, tmp_path):
    from hugtweets.generate import load_tweets, train
    from hugtweets.tiny import tiny_gpt2
    data = tweet_dataset(tmp_path/"dataset")
    base = tiny_gpt2(list(load_tweets(data)["train"]["text"]), path=tmp_path/"base")
    whole = final_eval_loss(train(data, base, tmp_path/"whole", epochs=3, lr=3e-3, n_samples=1))  # the CLI's other defaults
    assert not (tmp_path/"whole.checkpoints").exists()   # a completed run leaves no checkpoints
    scratch = tmp_path/"tmp"
    scratch.mkdir()
    before, out = tree(tmp_path), tmp_path/"model"
    cmd = ["train", data, "--model", base, "--out", out, "--epochs", "3", "--lr", "3e-3"]
    killed = run_cli(*cmd, env={**KILL, "TMPDIR": scratch})
    area = assert_killed_mid_fit(killed, tmp_path, before, out, scratch)
    assert len(list(area.glob("checkpoint-*/trainer_state.json"))) == 1, list(area.iterdir())
    assert_one_line_error(cli(*cmd), "pass --resume")   # a new run does not start over an interrupted one
    resumed = cli(*cmd, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert not area.exists() and (out/"model.safetensors").is_file() and (out/"README.md").is_file()
    got = final_eval_loss(out)
    print(f"train: final valid loss uninterrupted {whole:.4f}, resumed {got:.4f}")
    assert abs(got - whole) <= 0.02 * whole, (got, whole)

def test_classify_train_resumes_after_kill(run_cli, tmp_path):
    from hugtweets.learner import learnable_sample, train_classifier
    from hugtweets.tiny import tiny_bert
    df = learnable_sample(160, labels=("ham", "spam"), seed=3)
    df.to_csv(tmp_path/"train.csv", index=False)
    model = tiny_bert(df.text.tolist(), ["ham", "spam"], path=tmp_path/"bert")
    whole = train_classifier(tmp_path/"train.csv", model, tmp_path/"whole", epochs=3, lr=3e-3)["valid_loss"]
    assert whole < 0.6 and not (tmp_path/"whole.checkpoints").exists()   # it learnt (chance is 0.69), and left no checkpoints
    scratch = tmp_path/"tmp"
    scratch.mkdir()
    before, out = tree(tmp_path), tmp_path/"clf"
    cmd = ["classify", "train", tmp_path/"train.csv", "--model", model, "--out", out, "--epochs", "3", "--lr", "3e-3"]
    killed = run_cli(*cmd, env={**KILL, "TMPDIR": scratch})
    area = assert_killed_mid_fit(killed, tmp_path, before, out, scratch)
    assert [p.name for p in area.glob("epoch-*")] == ["epoch-1"], list(area.iterdir())
    assert_one_line_error(cli(*cmd[:-2], "--resume"), "another run", "lr")   # other settings: refused
    assert area.exists()
    resumed = cli(*cmd, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert not area.exists() and (out/"config.json").is_file() and (out/"README.md").is_file()
    got = float(dict(l.split("\t") for l in resumed.stdout.splitlines() if "\t" in l)["valid_loss"])
    print(f"classify train: final valid loss uninterrupted {whole:.4f}, resumed {got:.4f}")
    assert abs(got - whole) <= 0.02 * whole, (got, whole)

def test_resume_without_checkpoints(tmp_path):
    (tmp_path/"train.csv").write_text("text,label\na,x\nb,y\n")
    tweet_dataset(tmp_path/"dataset", n=4)
    before = tree(tmp_path)
    for cmd in (["classify", "train", tmp_path/"train.csv", "--model", "m"], ["train", tmp_path/"dataset", "--model", "m"]):
        proc = cli(*cmd, "--out", tmp_path/"out", "--resume")
        assert_one_line_error(proc, "nothing to resume", "out.checkpoints does not exist", "without --resume")
    assert tree(tmp_path) == before

@pytest.mark.parametrize("stop", [1, 2])
def test_classify_resume_keeps_the_lr_find_rate(tmp_path, monkeypatch, stop):
    "Interrupted in this process (an exception from the hook) after epoch 1 or after the last one (2), a run whose rate came from lr_find resumes with that rate."
    import hugtweets.learner as L
    from fastai.learner import Learner
    from types import SimpleNamespace
    from hugtweets.tiny import tiny_bert
    df = L.learnable_sample(48, labels=("ham", "spam"), seed=3)
    df.to_csv(tmp_path/"train.csv", index=False)
    model = tiny_bert(df.text.tolist(), ["ham", "spam"], path=tmp_path/"bert")
    def interrupt(epoch):
        if epoch == stop: raise KeyboardInterrupt
    monkeypatch.setattr(L, "kill_hook", interrupt)
    monkeypatch.setattr(Learner, "lr_find", lambda self, **kw: SimpleNamespace(valley=2e-3), raising=False)
    with pytest.raises(KeyboardInterrupt): L.train_classifier(tmp_path/"train.csv", model, tmp_path/"clf", epochs=2, bs=8)
    area = tmp_path/"clf.checkpoints"
    assert json.loads((area/"hugtweets-checkpoints.json").read_text())["lr"] == 2e-3 and (area/f"epoch-{stop}").is_dir()
    monkeypatch.setattr(Learner, "lr_find", lambda self, **kw: pytest.fail("lr_find ran again"), raising=False)
    metrics = L.train_classifier(tmp_path/"train.csv", model, tmp_path/"clf", epochs=2, bs=8, resume=True)
    assert metrics["lr"] == 2e-3 and metrics["train_loss"] > 0 and not area.exists() and (tmp_path/"clf"/"config.json").is_file()

def test_train_resume_after_the_last_epoch(tmp_path, monkeypatch):
    "Interrupted (in this process) after the last epoch's checkpoint but before the output was saved: --resume only saves it."
    import hugtweets.generate as G
    from hugtweets.tiny import tiny_gpt2
    data = tweet_dataset(tmp_path/"dataset", n=20)
    base = tiny_gpt2(list(G.load_tweets(data)["train"]["text"]), path=tmp_path/"base")
    def interrupt(epoch):
        if round(epoch) == 2: raise KeyboardInterrupt
    monkeypatch.setattr(G, "kill_hook", interrupt)
    with pytest.raises(KeyboardInterrupt): G.train(data, base, tmp_path/"model", epochs=2, lr=3e-3, n_samples=1)
    area = tmp_path/"model.checkpoints"
    assert G.last_checkpoint(area) is not None and not (tmp_path/"model").exists()
    G.train(data, base, tmp_path/"model", epochs=2, lr=3e-3, n_samples=1, resume=True)
    assert not area.exists() and final_eval_loss(tmp_path/"model") > 0
    card = (tmp_path/"model"/"README.md").read_text()
    assert "train loss" in card and "| train loss | 0.0000 |" not in card, card
