"Exit codes tell the truth, and bad settings or files get a message that says what to do (issue 12). In-process, tiny models."
import json, random, shlex, sys
from pathlib import Path
import pytest, torch
from conftest import assert_one_line_error
from hugtweets.cli import main
from hugtweets.core import OUTPUT_MARKER, SAVED_EXIT, HugtweetsError
from test_outputs import snapshot, leftovers, post_texts

WORDS = "the loom weaves numbers as a poem and the engine answers every card with care today again".split()

@pytest.fixture(autouse=True)
def one_thread():
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)

@pytest.fixture
def ws(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rows = [{"text": t, "handle": "ada"} for t in post_texts()]
    (tmp_path/"posts.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return tmp_path

@pytest.fixture(scope="module")
def gpt2():
    from hugtweets.tiny import tiny_gpt2
    return tiny_gpt2(post_texts())

@pytest.fixture(scope="module")
def bert():
    from hugtweets.learner import learnable_sample
    from hugtweets.tiny import tiny_bert
    df = learnable_sample(40, labels=("ham", "spam"), seed=3)
    return tiny_bert(df.text.tolist(), ["ham", "spam"])

def saved_line(proc) -> str:
    assert_one_line_error(proc, "saved ", "retry just that step with: ")
    return next(l for l in proc.stderr.splitlines() if l.startswith("hugtweets: error:"))

# --- a failure after the output is complete: exit 3, the output stays, and the retry command works ---

def test_dataset_wandb_failure_keeps_output_and_retry_works(ws, cli, monkeypatch):
    import wandb
    real_init = wandb.init
    def down(*a, **k): raise RuntimeError("W&B is down")
    monkeypatch.setattr(wandb, "init", down)
    proc = cli("dataset", "posts.jsonl", "--out", "ds", "--wandb")
    assert proc.returncode == SAVED_EXIT == 3
    line = saved_line(proc)
    assert "saved ds; the W&B upload failed (W&B is down)" in line
    retry = line.split("retry just that step with: ")[1]
    assert retry == "hugtweets dataset posts.jsonl --out ds --force --wandb"
    assert sorted(p.name for p in (ws/"ds").iterdir()) == [OUTPUT_MARKER, "stats.json", "train.jsonl", "valid.jsonl"]
    first = snapshot(ws/"ds")
    monkeypatch.setattr(wandb, "init", real_init)  # W&B is back (offline mode here): the retry command succeeds
    monkeypatch.setenv("WANDB_DIR", str(ws))
    proc = cli(*shlex.split(retry)[1:])
    assert proc.returncode == 0, proc.stderr
    assert snapshot(ws/"ds") == first  # same seed, same dataset
    assert list((ws/"wandb").glob("offline-run-*"))

def test_train_push_failure_keeps_model_and_push_retries(ws, cli, gpt2, monkeypatch, fake_secrets):
    import hugtweets.generate, hugtweets.hf
    assert cli("dataset", "posts.jsonl", "--out", "ds").returncode == 0
    def refused(folder, repo, private=None):
        raise HugtweetsError(f"could not push to {repo}: connection refused; check HF_TOKEN's write access and the network")
    monkeypatch.setattr(hugtweets.generate, "push_folder", refused)
    before = snapshot(ws/"ds")
    proc = cli("train", "ds", "--model", gpt2, "--out", "model", "--epochs", "1", "--lr", "3e-3", "--push-to-hub", "me/ada")
    assert proc.returncode == 3, proc.stderr
    assert saved_line(proc) == ("hugtweets: error: saved model; the Hub push failed (could not push to me/ada: connection refused; "
                                "check HF_TOKEN's write access and the network); retry just that step with: hugtweets push model me/ada")
    assert {OUTPUT_MARKER, "config.json", "model.safetensors", "README.md"} <= {p.name for p in (ws/"model").iterdir()}
    assert snapshot(ws/"ds") == before and leftovers(ws) == []
    pushed = []
    monkeypatch.setattr(hugtweets.hf, "push_folder", lambda folder, repo, private=None: pushed.append((Path(folder), repo)) or f"https://huggingface.co/{repo}")
    proc = cli("push", "model", "me/ada")
    assert proc.returncode == 0, proc.stderr
    assert pushed == [(Path("model"), "me/ada")] and "pushed to https://huggingface.co/me/ada" in proc.stdout
    assert_one_line_error(cli("push", "ds", "me/ada"), "not a model folder written by hugtweets")
    assert len(pushed) == 1

def test_bad_account_js_is_found_before_anything_is_written(ws, cli):
    from hugtweets.tweet_sources import write_test_archive
    rnd = random.Random(1)
    tweets = [{"id_str": str(i), "full_text": " ".join(rnd.choices(WORDS, k=20)), "created_at": "Wed Oct 10 20:19:24 +0000 2018",
               "entities": {"user_mentions": [], "urls": [], "hashtags": []}} for i in range(100)]
    write_test_archive(ws/"a.zip", tweets, username=5)
    before = snapshot(ws)
    proc = cli("dataset", "a.zip", "--out", "ds")
    if proc.returncode == 0: assert (ws/"ds"/"stats.json").is_file()  # read as a name: a usable result
    else:
        assert_one_line_error(proc)
        assert proc.returncode == 1 and snapshot(ws) == before and not (ws/"ds").exists() and leftovers(ws) == []

# --- exit 0 means a usable result ---

@pytest.mark.parametrize("args", [["train", "ds", "--out", "m", "--lr", "nan"], ["train", "ds", "--out", "m", "--lr", "inf"],
                                  ["train", "ds", "--out", "m", "--epochs", "nan"], ["train", "ds", "--out", "m", "--epochs", "inf"],
                                  ["train", "ds", "--out", "m", "--epochs", "0"], ["train", "ds", "--out", "m", "--lr=-1e-4"],
                                  ["classify", "train", "d.csv", "--model", "b", "--out", "m", "--epochs", "nan"],
                                  ["classify", "train", "d.csv", "--model", "b", "--out", "m", "--lr", "nan"],
                                  ["classify", "train", "d.csv", "--model", "b", "--out", "m", "--batch-size", "0"]])
def test_lr_and_epochs_must_be_positive_numbers(ws, capsys, args):
    with pytest.raises(SystemExit) as e: main(args)
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "must be a positive" in err and "Traceback" not in err and "ValueError" not in err
    assert not (ws/"m").exists()

@pytest.mark.parametrize("kw, fragment", [(dict(lr=float("nan")), "--lr must be a positive number, not nan"),
                                          (dict(epochs=float("inf")), "--epochs must be a positive number, not inf"),
                                          (dict(lr=0), "--lr must be a positive number, not 0")])
def test_library_train_refuses_bad_lr_epochs(ws, gpt2, kw, fragment):
    from hugtweets.generate import train
    from hugtweets.learner import train_classifier
    with pytest.raises(HugtweetsError, match=fragment): train(ws/"nods", gpt2, ws/"m", **kw)
    (ws/"d.csv").write_text("text,label\na,x\nb,y\n")
    with pytest.raises(HugtweetsError, match=fragment): train_classifier(ws/"d.csv", gpt2, ws/"m", **kw)
    assert not (ws/"m").exists()

def test_classify_train_with_fewer_rows_than_a_batch(ws, cli, bert):
    from hugtweets.learner import learnable_sample
    learnable_sample(12, labels=("ham", "spam"), seed=3).to_csv(ws/"d.csv", index=False)
    before = snapshot(ws)
    proc = cli("classify", "train", "d.csv", "--model", bert, "--out", "clf", "--lr", "1e-3", "--epochs", "1")
    assert_one_line_error(proc, "training rows, fewer than one batch of 16", "--batch-size")
    assert proc.returncode == 1 and snapshot(ws) == before and not (ws/"clf").exists()

@pytest.mark.parametrize("content, fragment", [
    (b'text,label\n"an unclosed quote,ham\nmore,spam\n', "cannot parse d.csv as CSV"),
    (b"text,label\nx,y\na,b,c,d\n", "cannot parse d.csv as CSV"),
    ("text,label\ncaf\u00e9 cr\u00e8me,ham\nna\u00efve,spam\n".encode("latin-1"), "is not UTF-8 text; save it again as UTF-8"),
    (b"", "d.csv is empty")])
def test_broken_csv_for_classify_train(ws, cli, content, fragment):
    (ws/"d.csv").write_bytes(content)
    before = snapshot(ws)
    proc = cli("classify", "train", "d.csv", "--model", "bert", "--out", "clf")
    assert_one_line_error(proc, fragment)
    for name in ("ParserError", "UnicodeDecodeError", "EmptyDataError"): assert name not in proc.stderr
    assert snapshot(ws) == before

# --- messages that used to name a Python exception ---

def test_prompt_longer_than_the_context_keeps_its_last_tokens(gpt2, capsys):
    from hugtweets.generate import generate
    prompt = " ".join(["the loom weaves numbers"] * 200) + " and finally care"
    samples = generate(gpt2, prompt, n=2, seed=0)
    assert len(samples) == 2 and all(s.endswith("care") or "care" in s for s in samples)
    err = capsys.readouterr().err
    assert "the prompt has" in err and "keeping its last" in err

def test_explain_html_that_is_a_folder(ws, cli, bert):
    (ws/"page").mkdir()
    proc = cli("explain", bert, "ham spam text", "--html", "page")
    assert_one_line_error(proc, "page is a folder; give a file name")
    assert "IsADirectoryError" not in proc.stderr and list((ws/"page").iterdir()) == []
