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

# --- data never drives the terminal, and never forges output lines ---

ESC = "\x1b]0;owned\x07\x1b[2J"   # set the window title, clear the screen

@pytest.fixture
def hostile_model(tmp_path, classifier):
    "The trained classifier with label names that hold escape sequences, a new line and a tab."
    import shutil
    m = tmp_path/"hostile"
    shutil.copytree(classifier.model, m)
    cfg = json.loads((m/"config.json").read_text())
    cfg["id2label"] = {"0": f"ham{ESC}", "1": "spam\nforged\t0.9999\trow"}
    cfg["label2id"] = {v: int(k) for k, v in cfg["id2label"].items()}
    (m/"config.json").write_text(json.dumps(cfg))
    return m

def test_predict_escapes_labels_and_texts(hostile_model):
    text = "hello\nspam\t0.9999\tforged row"
    proc = cli("classify", "predict", hostile_model, text, "plain words")
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout + proc.stderr and "\x07" not in proc.stdout
    lines = proc.stdout.splitlines()
    assert len(lines) == 2 and all(l.count("\t") == 2 for l in lines), lines   # one line of three fields per text
    label, prob, shown = lines[0].split("\t")
    assert shown == "hello\\nspam\\t0.9999\\tforged row" and label in ("ham\\x1b]0;owned\\x07\\x1b[2J", "spam\\nforged\\t0.9999\\trow")
    assert float(prob) >= 0.5 and lines[1].endswith("\tplain words")

def test_predict_json_lines_round_trip(hostile_model):
    texts = ["hello\nspam\t0.9999\tforged row", "back\\slash café"]
    proc = cli("classify", "predict", hostile_model, *texts, "--json")
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout
    rows = [json.loads(l) for l in proc.stdout.splitlines()]
    assert [r["text"] for r in rows] == texts
    assert all(r["label"] in (f"ham{ESC}", "spam\nforged\t0.9999\trow") and 0.5 <= r["score"] <= 1 for r in rows)

def test_predict_streams_a_file(tmp_path, classifier, monkeypatch):
    "A file of texts is read and answered a chunk at a time: the first answers exist before the last line is read."
    import hugtweets.learner as L
    lines = [f"text number {i} the of" for i in range(600)]
    (tmp_path/"texts.txt").write_text("\n".join(lines[:300]) + "\n\n" + "\n".join(lines[300:]) + "\n", encoding="utf-8")
    seen, real = [], L.predict_stream
    def spy(model, texts, **kw):
        texts = iter(texts)
        def reading():
            for t in texts:
                seen.append(t)
                yield t
        for i, answer in enumerate(real(model, reading(), **kw)):
            if i == 0: first_answer_after = len(seen)
            yield answer
        assert first_answer_after < len(lines), "nothing was answered until every text was read"
    monkeypatch.setattr(L, "predict_stream", spy)
    proc = cli("classify", "predict", classifier.model, "--file", tmp_path/"texts.txt")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.splitlines()
    assert [l.split("\t")[2] for l in out] == lines   # every text once, in order, the blank line skipped
    assert_one_line_error(cli("classify", "predict", classifier.model, "a text", "--file", tmp_path/"texts.txt"), "not both")
    assert_one_line_error(cli("classify", "predict", classifier.model, "--file", tmp_path/"nope.txt"), "does not exist")

def test_train_metrics_lines_escape_labels(tmp_path):
    "Labels with a tab or a new line stay inside their KEY<TAB>VALUE line."
    from hugtweets.learner import learnable_sample
    from hugtweets.tiny import tiny_bert
    df = learnable_sample(32, labels=("ham\tx", "spam\nrow"), seed=3)
    df.to_csv(tmp_path/"train.csv", index=False)
    base = tiny_bert(df.text.tolist(), sorted(df.label.unique()), path=tmp_path/"bert")
    proc = cli("classify", "train", tmp_path/"train.csv", "--model", base, "--out", tmp_path/"m", "--epochs", "1", "--lr", "3e-3",
               "--batch-size", "8")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.splitlines()
    lines = out[max(i for i, l in enumerate(out) if l.startswith("valid_loss\t")):]   # the metrics, after the progress table
    assert all(l.count("\t") == 1 for l in lines), lines
    metrics = dict(l.split("\t") for l in lines)
    assert metrics["labels"] == "ham\\tx,spam\\nrow" and "f1_spam\\nrow" in metrics and {"lr", "out", "accuracy"} <= set(metrics), metrics

def test_explain_escapes_label_names(hostile_model, tmp_path):
    proc = cli("explain", hostile_model, "a few plain words")
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout + proc.stderr and "\x07" not in proc.stderr
    assert "\\x1b" in proc.stderr or "\\n" in proc.stderr

def test_dataset_escapes_handles(tmp_path):
    "Escape sequences in a data file's handle reach the stats table and the warnings only as visible text."
    rows = [{"text": f"post number {i} about engines and looms and cards and poetry", "handle": f"ada{ESC}"} for i in range(200)]
    (tmp_path/"posts.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    proc = cli("dataset", tmp_path/"posts.jsonl", "--out", tmp_path/"ds")
    assert "\x1b" not in proc.stdout + proc.stderr and "\x07" not in proc.stdout + proc.stderr
    assert "ada\\x1b]0;owned\\x07" in proc.stdout + proc.stderr

# --- outputs never overwrite inputs or existing files ---

def test_explain_html_follows_the_out_rules(classifier, tmp_path):
    import shutil
    m = tmp_path/"m"
    shutil.copytree(classifier.model, m)
    config = (m/"config.json").read_bytes()
    assert_one_line_error(cli("explain", m, "some words", "--html", m/"config.json"), "--html", "the input")
    assert_one_line_error(cli("explain", m, "some words", "--html", m/"config.json", "--force"), "the input")
    assert (m/"config.json").read_bytes() == config
    (tmp_path/"notes.txt").write_text("mine")
    assert_one_line_error(cli("explain", m, "some words", "--html", tmp_path/"notes.txt"), "already exists", "--force")
    assert (tmp_path/"notes.txt").read_text() == "mine"
    proc = cli("explain", m, "some words", "--html", tmp_path/"page.html")
    assert proc.returncode == 0 and "<html" in (tmp_path/"page.html").read_text().lower(), proc.stderr
    assert cli("explain", m, "some words", "--html", tmp_path/"notes.txt", "--force").returncode == 0
