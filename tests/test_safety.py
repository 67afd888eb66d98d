"""Data from strangers never runs, leaks or lies: checkpoints that would run code, control characters from data, forged
output lines, outputs that overwrite inputs, runs that lie about their state, broken model folders, and inputs that cost
more than their size. Each test reproduces one attack or fault, then checks the safe behaviour."""
import json, os, pickle, time
from pathlib import Path
from types import SimpleNamespace
import pytest
from conftest import assert_one_line_error

OFFLINE = {"HUGTWEETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "WANDB_MODE": "offline",
           "WANDB_SILENT": "true", "TOKENIZERS_PARALLELISM": "false", "OMP_NUM_THREADS": "1"}

@pytest.fixture(autouse=True)
def offline(monkeypatch):
    for k, v in OFFLINE.items(): monkeypatch.setenv(k, v)

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
    mask = os.umask(0o022)
    try: train_classifier(d/"train.csv", base, d/"model", epochs=1, lr=3e-3, bs=8)
    finally: os.umask(mask)
    return SimpleNamespace(csv=d/"train.csv", base=base, model=d/"model", umask=0o022)

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
def test_resume_never_runs_a_pickled_payload(tmp_path, classifier, monkeypatch, where, cli):
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

def test_predict_escapes_labels_and_texts(hostile_model, cli):
    text = "hello\nspam\t0.9999\tforged row"
    proc = cli("classify", "predict", hostile_model, text, "plain words")
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout + proc.stderr and "\x07" not in proc.stdout
    lines = proc.stdout.splitlines()
    assert len(lines) == 2 and all(l.count("\t") == 2 for l in lines), lines   # one line of three fields per text
    label, prob, shown = lines[0].split("\t")
    assert shown == "hello\\nspam\\t0.9999\\tforged row" and label in ("ham\\x1b]0;owned\\x07\\x1b[2J", "spam\\nforged\\t0.9999\\trow")
    assert float(prob) >= 0.5 and lines[1].endswith("\tplain words")

def test_predict_json_lines_round_trip(hostile_model, cli):
    texts = ["hello\nspam\t0.9999\tforged row", "back\\slash café"]
    proc = cli("classify", "predict", hostile_model, *texts, "--json")
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout
    rows = [json.loads(l) for l in proc.stdout.splitlines()]
    assert [r["text"] for r in rows] == texts
    assert all(r["label"] in (f"ham{ESC}", "spam\nforged\t0.9999\trow") and 0.5 <= r["score"] <= 1 for r in rows)

def test_predict_streams_a_file(tmp_path, classifier, monkeypatch, cli):
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

def test_train_metrics_lines_escape_labels(tmp_path, cli):
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

def test_explain_escapes_label_names(hostile_model, tmp_path, cli):
    proc = cli("explain", hostile_model, "a few plain words")
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout + proc.stderr and "\x07" not in proc.stderr
    assert "\\x1b" in proc.stderr or "\\n" in proc.stderr

def test_dataset_escapes_handles(tmp_path, cli):
    "Escape sequences in a data file's handle reach the stats table and the warnings only as visible text."
    rows = [{"text": f"post number {i} about engines and looms and cards and poetry", "handle": f"ada{ESC}"} for i in range(200)]
    (tmp_path/"posts.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    proc = cli("dataset", tmp_path/"posts.jsonl", "--out", tmp_path/"ds")
    assert "\x1b" not in proc.stdout + proc.stderr and "\x07" not in proc.stdout + proc.stderr
    assert "ada\\x1b]0;owned\\x07" in proc.stdout + proc.stderr

# --- outputs never overwrite inputs or existing files ---

def test_explain_html_follows_the_out_rules(classifier, tmp_path, cli):
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

# --- a live run is running, not interrupted ---

def test_a_live_run_is_never_called_interrupted(tmp_path, classifier, cli):
    "While another process trains into --out (it holds the area's run lock), no flag lets a second run touch its checkpoints."
    import subprocess, sys
    from conftest import cli_env
    out = tmp_path/"clf"
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time\nfrom hugtweets.checkpoints import open_checkpoints, start_checkpoints\n"
                               f"area, _ = open_checkpoints({str(out)!r}, 'classify train', {{}})\nstart_checkpoints(area, 'classify train', {{}})\n"
                               "(area/'epoch-1').mkdir()\nprint('training', flush=True)\ntime.sleep(120)"],
                              stdout=subprocess.PIPE, text=True, env=cli_env())
    try:
        assert holder.stdout.readline().strip() == "training"
        area = tmp_path/"clf.checkpoints"
        base = ["classify", "train", classifier.csv, "--model", classifier.base, "--out", out, "--epochs", "1", "--lr", "3e-3"]
        for flags in ([], ["--force"], ["--resume"]):
            proc = cli(*base, *flags)
            assert_one_line_error(proc, "another hugtweets run is training", "not an interrupted run")
            assert "pass --resume" not in proc.stderr and (area/"epoch-1").is_dir()   # its checkpoints are untouched
    finally:
        holder.kill(); holder.wait(timeout=30)
    # once that run has died, its area is an interrupted run's again
    assert_one_line_error(cli(*base), "interrupted run", "--resume")

# --- divergence stops at once, says what to change, and leaves nothing to replay ---

def test_classify_train_stops_at_the_first_non_finite_loss(tmp_path, classifier, cli):
    out = tmp_path/"clf"
    proc = cli("classify", "train", classifier.csv, "--model", classifier.base, "--out", out, "--epochs", "2", "--lr", "1e9",
               "--batch-size", "8")
    assert_one_line_error(proc, "training diverged", "lower --lr", "epoch 1, batch")
    assert not out.exists() and not (tmp_path/"clf.checkpoints").exists()
    assert_one_line_error(cli("classify", "train", classifier.csv, "--model", classifier.base, "--out", out, "--epochs", "2",
                              "--lr", "1e9", "--batch-size", "8", "--resume"), "nothing to resume")

def test_train_stops_at_the_first_non_finite_loss(tmp_path, cli):
    from test_resume import tweet_dataset
    from hugtweets.generate import load_tweets
    from hugtweets.tiny import tiny_gpt2
    data = tweet_dataset(tmp_path/"dataset", n=40)
    base = tiny_gpt2(list(load_tweets(data)["train"]["text"]), path=tmp_path/"base")
    proc = cli("train", data, "--model", base, "--out", tmp_path/"model", "--epochs", "3", "--lr", "1e9")
    assert_one_line_error(proc, "training diverged", "lower --lr", "at step")
    assert "probability tensor" not in proc.stderr
    assert not (tmp_path/"model").exists() and not (tmp_path/"model.checkpoints").exists()

# --- a full disk says so ---

def fill_disk(monkeypatch, error):
    "Every `torch.save` fails as it does on a full disk."
    import torch
    def full(*a, **kw): raise error
    monkeypatch.setattr(torch, "save", full)

def test_classify_train_says_no_space_left(tmp_path, classifier, monkeypatch, cli):
    import errno
    fill_disk(monkeypatch, OSError(errno.ENOSPC, "No space left on device"))
    proc = cli("classify", "train", classifier.csv, "--model", classifier.base, "--out", tmp_path/"clf", "--epochs", "1",
               "--lr", "3e-3", "--batch-size", "8")
    assert_one_line_error(proc, "no space left on the device", "free some space")
    assert not (tmp_path/"clf").exists() and not (tmp_path/"clf.checkpoints").exists()

def test_train_says_no_space_left(tmp_path, monkeypatch, cli):
    from test_resume import tweet_dataset
    from hugtweets.generate import load_tweets
    from hugtweets.tiny import tiny_gpt2
    data = tweet_dataset(tmp_path/"dataset", n=20)
    base = tiny_gpt2(list(load_tweets(data)["train"]["text"]), path=tmp_path/"base")
    fill_disk(monkeypatch, RuntimeError("[enforce fail at inline_container.cc:672] . unexpected pos 4352 vs 4240"))
    proc = cli("train", data, "--model", base, "--out", tmp_path/"model", "--epochs", "1", "--lr", "3e-3")
    assert_one_line_error(proc, "no space left on the device", "free some space")
    assert not (tmp_path/"model").exists()

def test_outputs_follow_the_umask(classifier):
    "model.safetensors (written 0600 by safetensors) gets the same mode as every other file of the output."
    modes = {p.name: p.stat().st_mode & 0o777 for p in classifier.model.iterdir() if p.is_file()}
    assert set(modes.values()) == {0o666 & ~classifier.umask}, {k: oct(v) for k, v in modes.items()}

# --- broken model folders are refused, and named for what they are ---

@pytest.fixture(scope="module")
def tiny_lm(tmp_path_factory):
    from hugtweets.tiny import tiny_gpt2
    d = tmp_path_factory.mktemp("lm")
    return Path(tiny_gpt2(["hello world how are you", "I think so too", "engines and looms"] * 20, path=d/"gpt"))

def broken(src, dst, edit):
    "A copy of the model folder `src` at `dst`, changed by `edit(folder)`."
    import shutil
    shutil.copytree(src, dst)
    edit(dst)
    return dst

def test_generate_refuses_a_model_without_tokenizer(tmp_path, tiny_lm, cli):
    m = broken(tiny_lm, tmp_path/"m", lambda d: [(d/f).unlink() for f in ("tokenizer.json", "tokenizer_config.json")])
    proc = cli("generate", m, "I think", "-n", "3")
    assert_one_line_error(proc, "has no tokenizer", "save the tokenizer")
    assert "I think" not in proc.stdout

def set_config(**changes):
    def edit(d):
        cfg = json.loads((d/"config.json").read_text())
        cfg.update(changes)
        (d/"config.json").write_text(json.dumps(cfg))
    return edit

def test_weights_under_another_config_are_refused(tmp_path, tiny_lm, classifier, cli):
    from transformers import LlamaConfig
    c = json.loads((tiny_lm/"config.json").read_text())
    llama = LlamaConfig(vocab_size=c["vocab_size"], hidden_size=c["n_embd"], intermediate_size=4 * c["n_embd"], num_hidden_layers=c["n_layer"],
                        num_attention_heads=c["n_head"], architectures=["LlamaForCausalLM"]).to_dict()
    m = broken(tiny_lm, tmp_path/"llama", lambda d: (d/"config.json").write_text(json.dumps(llama)))
    proc = cli("generate", m, "I think", "-n", "2")
    assert_one_line_error(proc, "do not fit its config", "LlamaForCausalLM")
    assert "I think" not in proc.stdout
    r = broken(classifier.model, tmp_path/"roberta", set_config(model_type="roberta", architectures=["RobertaForSequenceClassification"]))
    proc = cli("classify", "predict", r, "some words")
    assert_one_line_error(proc, "do not fit its config", "RobertaForSequenceClassification")
    assert "some words" not in proc.stdout
    assert_one_line_error(cli("explain", r, "some words"), "do not fit its config")

def test_a_new_head_is_not_a_mismatch(classifier):
    from hugtweets.hf import load_model
    model, _ = load_model(classifier.model, "sequence-classification", labels=["a", "b", "c"])   # a new 3-label head
    assert model.config.num_labels == 3

def test_a_damaged_config_is_named(tmp_path, classifier, cli):
    t = broken(classifier.model, tmp_path/"trunc", lambda d: (d/"config.json").write_text((d/"config.json").read_text()[:40]))
    assert_one_line_error(cli("classify", "predict", t, "words"), "config.json is not valid JSON", "cut short")
    u = broken(classifier.model, tmp_path/"unknown", set_config(model_type="bertzilla"))
    proc = cli("classify", "predict", u, "words")
    assert_one_line_error(proc, "model_type 'bertzilla'", "upgrade transformers")
    assert "no config.json" not in proc.stderr

# --- inputs that cost more than their size ---

def linear_enough(f, text, limit=1.0):
    "`f(text)` on 200 KB of input finishes within `limit` seconds (the quadratic versions took minutes)."
    t = time.perf_counter()
    result = f(text)
    took = time.perf_counter() - t
    assert took < limit, f"{f.__name__} took {took:.2f} s on {len(text):,} characters"
    return result

def test_trailing_hashtags_are_linear():
    from hugtweets.tweets import drop_trailing_hashtags
    assert linear_enough(drop_trailing_hashtags, "lunch today " + "#a " * 70_000) == "lunch today #a"
    text = "#a " * 70_000 + "x"
    assert linear_enough(drop_trailing_hashtags, text) == text

def test_looks_truncated_is_linear():
    from hugtweets.tweet_sources import looks_truncated
    assert not linear_enough(looks_truncated, "…" + " " * 200_000)
    assert not linear_enough(looks_truncated, "…" + " " * 200_000 + "x")
    assert linear_enough(looks_truncated, "w" * 200_000 + "… https://t.co/abc123  ")

def test_clean_display_name_is_linear():
    from hugtweets.tweets import clean_display_name
    assert linear_enough(clean_display_name, " " * 200_000) == ""
    assert linear_enough(clean_display_name, "Ada " + "a" * 200_000) .startswith("Ada")

def test_one_huge_post_is_left_out(tmp_path, cli):
    "A 12 MB post is counted and left out before cleaning (MAX_POST_CHARS), and the rest builds."
    from hugtweets.tweets import MAX_POST_CHARS
    rows = [{"text": f"post number {i} about engines and looms and cards and poetry", "handle": "ada"} for i in range(200)]
    rows.insert(3, {"text": "word " * 2_400_000, "handle": "ada"})
    (tmp_path/"posts.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    proc = cli("dataset", tmp_path/"posts.jsonl", "--out", tmp_path/"ds", "--min-chars", "1000")
    assert proc.returncode == 0, proc.stderr
    stats = json.loads((tmp_path/"ds"/"stats.json").read_text())
    assert stats["info"]["ada"]["too long"] == 1 and stats["sources"]["ada"]["kept"] == 200 and MAX_POST_CHARS < 12_000_000
    assert "too long" in proc.stdout

def test_rebased_session_has_timeouts():
    "One RebasedSession, an ApiSession: against a server that accepts and never answers, a request gives up within its bound."
    import socket, requests
    from hugtweets import tweet_sources as S
    assert isinstance(S.RebasedSession("http://127.0.0.1:1"), S.ApiSession)
    server = socket.socket()
    server.bind(("127.0.0.1", 0)); server.listen(8)
    try:
        port = server.getsockname()[1]
        session = S.RebasedSession(f"http://127.0.0.1:{port}", retries=1, backoff=0.01, connect_timeout=1, read_timeout=1, total_timeout=2)
        t = time.perf_counter()
        with pytest.raises(requests.exceptions.RequestException): session.get(f"{S.X_HOST}/2/users/by/username/ada")
        assert time.perf_counter() - t < 15
        conn, _ = server.accept()   # the request went to the local server, not to X
        conn.close()
    finally: server.close()

def test_generate_bounds_n_and_streams(tmp_path, tiny_lm, monkeypatch, cli):
    import hugtweets.generate as G
    proc = cli("generate", tiny_lm, "I think", "-n", "1000000000")
    assert_one_line_error(proc, "-n 1,000,000,000 is more than 100,000")
    batches = []
    real = G.sample_tweets
    def spy(model, tok, prompt="", n=5, seed=None):
        batches.append(n)
        return real(model, tok, prompt, n=n, seed=seed)
    monkeypatch.setattr(G, "sample_tweets", spy)
    proc = cli("generate", tiny_lm, "I think", "-n", "150", "--seed", "1")
    assert proc.returncode == 0, proc.stderr
    assert batches == [64, 64, 22] and len([l for l in proc.stdout.splitlines() if not l.startswith("[INFO]")]) == 150
    # up to one batch, the same tweets as generate()
    monkeypatch.undo()
    for k, v in OFFLINE.items(): monkeypatch.setenv(k, v)
    assert list(G.generate_stream(tiny_lm, "I think", n=7, seed=3)) == G.generate(tiny_lm, "I think", n=7, seed=3)

# --- a crash mid-swap never loses the old output ---

def test_dataset_force_killed_between_its_renames_keeps_the_old_output(tmp_path, run_cli):
    import subprocess, sys
    from conftest import cli_env
    rows = [{"text": f"post number {i} about engines and looms and cards and poetry", "handle": "ada"} for i in range(200)]
    (tmp_path/"posts.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    args = ["dataset", str(tmp_path/"posts.jsonl"), "--out", str(tmp_path/"ds"), "--min-chars", "1000"]
    assert run_cli(*args).returncode == 0
    (tmp_path/"ds"/"mine.txt").write_text("the old output")   # to know it again
    killer = ("import os, sys\nreal = os.rename\n"
              "def rename(a, b):\n"
              "    if '.hugtweets-tmp-' in str(a): os._exit(137)  # killed after the old output was set aside\n"
              "    real(a, b)\n"
              f"os.rename = rename\nfrom hugtweets.cli import main\nsys.exit(main({args + ['--force']!r}))\n")
    proc = subprocess.run([sys.executable, "-c", killer], env=cli_env(), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 137 and not (tmp_path/"ds").exists()
    assert len(list(tmp_path.glob(".ds.hugtweets-old-*"))) == 1
    again = run_cli(*args)   # the next run puts the old output back, and it is the output: --force to replace it
    assert_one_line_error(again, "already exists", "--force")
    assert (tmp_path/"ds"/"mine.txt").read_text() == "the old output" and not list(tmp_path.glob(".ds.hugtweets-*"))
    assert run_cli(*args, "--force").returncode == 0
    assert not (tmp_path/"ds"/"mine.txt").exists() and (tmp_path/"ds"/"train.jsonl").is_file()
