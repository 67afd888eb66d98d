"Outputs: nothing a person owns is ever deleted (issue 12). The CLI runs in this process; kills run in a child process."
import errno, hashlib, json, os, random, shutil, signal, subprocess, sys, textwrap
from pathlib import Path
import pytest
from conftest import ROOT, assert_one_line_error, cli_env
from hugtweets.cli import main
from hugtweets.core import OUTPUT_MARKER, atomic_dir, atomic_write

WORDS = "the loom weaves numbers as a poem and the engine answers every card with care today again".split()

def post_texts() -> list[str]:
    "120 invented posts, enough text for a dataset (the tiny GPT-2 built on them is cached for both test files)."
    rnd = random.Random(0)
    return [" ".join(rnd.choices(WORDS, k=20)) for _ in range(120)]

@pytest.fixture
def ws(tmp_path, monkeypatch):
    "A work folder (the current folder) holding an input `data/posts.jsonl` with enough text for a dataset."
    monkeypatch.chdir(tmp_path)
    (tmp_path/"data").mkdir()
    rows = [{"text": t, "handle": "ada"} for t in post_texts()]
    (tmp_path/"data"/"posts.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return tmp_path

def snapshot(root) -> dict:
    "Every file under `root` (hidden ones too) with its SHA-256: the proof that nothing was harmed."
    root = Path(root)
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}

def leftovers(folder) -> list[str]:
    return sorted(p.name for p in Path(folder).iterdir() if ".hugtweets-" in p.name and p.name != OUTPUT_MARKER)

@pytest.mark.parametrize("out, fragment", [(".", "is the current folder"), ("", "is the current folder"),
                                           ("..", "holds it"), ("data", "holds the input data/posts.jsonl"),
                                           ("data/posts.jsonl", "is the input")])
def test_dataset_out_that_would_delete_input_is_refused(ws, cli, out, fragment):
    before = snapshot(ws)
    proc = cli("dataset", "data/posts.jsonl", "--out", out, "--force")
    assert_one_line_error(proc, fragment)
    assert proc.returncode == 1
    assert snapshot(ws) == before

def test_home_and_root_are_refused(ws, cli, monkeypatch):
    monkeypatch.setenv("HOME", str(ws/"home"))
    (ws/"home").mkdir()
    assert_one_line_error(cli("dataset", "data/posts.jsonl", "--out", ws/"home", "--force"), "home folder")
    assert_one_line_error(cli("dataset", "data/posts.jsonl", "--out", "/", "--force"), "file-system root")

def test_out_inside_an_input_folder_is_refused(ws, cli):
    (ws/"arch").mkdir()
    shutil.copy(ws/"data"/"posts.jsonl", ws/"arch"/"posts.jsonl")
    before = snapshot(ws)
    assert_one_line_error(cli("dataset", "arch", "--out", "arch/ds"), "lies inside the input arch")
    assert snapshot(ws) == before

def test_train_out_equal_to_or_inside_the_dataset_is_refused(ws, cli):
    assert cli("dataset", "data/posts.jsonl", "--out", "ds").returncode == 0
    before = snapshot(ws)
    assert_one_line_error(cli("train", "ds", "--model", "gpt2", "--out", "ds", "--force"), "--out ds is the input ds")
    assert_one_line_error(cli("train", "ds", "--model", "gpt2", "--out", "ds/model"), "lies inside the input ds")
    assert snapshot(ws) == before

def test_classify_train_out_dot_is_refused(ws, cli):
    (ws/"d.csv").write_text("text,label\n" + "".join(f"word {i},{'ab'[i % 2]}\n" for i in range(40)))
    before = snapshot(ws)
    assert_one_line_error(cli("classify", "train", "d.csv", "--model", "bert", "--out", ".", "--force"), "is the current folder")
    assert_one_line_error(cli("classify", "train", "d.csv", "--model", "bert", "--out", "d.csv", "--force"), "is the input d.csv")
    assert snapshot(ws) == before

def test_force_replaces_only_hugtweets_outputs(ws, cli):
    (ws/"mine").mkdir()
    (ws/"mine"/"thesis.txt").write_text("years of work")
    before = snapshot(ws)
    proc = cli("dataset", "data/posts.jsonl", "--out", "mine", "--force")
    assert_one_line_error(proc, "mine already exists and hugtweets did not write it", "choose a new --out")
    assert snapshot(ws) == before
    # a hugtweets output is replaced with --force, refused without it
    assert cli("dataset", "data/posts.jsonl", "--out", "ds").returncode == 0
    assert (ws/"ds"/OUTPUT_MARKER).read_text().startswith("written by hugtweets")
    first = snapshot(ws/"ds")
    assert_one_line_error(cli("dataset", "data/posts.jsonl", "--out", "ds"), "already exists", "--force")
    assert snapshot(ws/"ds") == first
    assert cli("dataset", "data/posts.jsonl", "--out", "ds", "--force", "--seed", "7").returncode == 0
    assert json.loads((ws/"ds"/"stats.json").read_text())["seed"] == 7
    assert leftovers(ws) == []

def test_out_that_is_a_file(ws, cli):
    (ws/"notes.txt").write_text("mine")
    before = snapshot(ws)
    proc = cli("dataset", "data/posts.jsonl", "--out", "notes.txt", "--force")
    assert_one_line_error(proc, "--out notes.txt is a file, not a folder")
    assert "NotADirectoryError" not in proc.stderr
    assert snapshot(ws) == before

def test_read_only_parent(ws, cli, monkeypatch):
    (ws/"ro").mkdir()
    (ws/"ro"/"keep.txt").write_text("keep")
    if os.geteuid() == 0:  # root writes anywhere: make the folder refuse as a read-only one would
        def denied(*a, **k): raise PermissionError(errno.EACCES, "Permission denied")
        monkeypatch.setattr("hugtweets.core.tempfile.mkdtemp", denied)
    os.chmod(ws/"ro", 0o555)
    try:
        before = snapshot(ws)
        proc = cli("dataset", "data/posts.jsonl", "--out", "ro/ds")
        assert_one_line_error(proc, "ro: permission denied")
        assert "PermissionError" not in proc.stderr
        assert snapshot(ws) == before
        assert sorted(p.name for p in (ws/"ro").iterdir()) == ["keep.txt"]
    finally: os.chmod(ws/"ro", 0o755)

def test_concurrent_run_on_one_out_stops(ws, cli):
    "The test holds `ds` open as another run would (its lock), so the second run meets it deterministically."
    with atomic_dir(ws/"ds") as tmp:
        (tmp/"first.txt").write_text("the first run's output")
        proc = cli("dataset", "data/posts.jsonl", "--out", "ds", "--force")
        assert_one_line_error(proc, "another hugtweets run is writing", "ds")
    assert sorted(p.name for p in (ws/"ds").iterdir()) == [OUTPUT_MARKER, "first.txt"]
    # a run that checked --out before the first one finished is refused when it comes to write
    assert_one_line_error(cli("dataset", "data/posts.jsonl", "--out", "ds"), "already exists")
    assert (ws/"ds"/"first.txt").read_text() == "the first run's output"
    assert leftovers(ws) == []

def test_failed_delete_of_the_old_output_keeps_the_new_one(ws, cli, monkeypatch):
    assert cli("dataset", "data/posts.jsonl", "--out", "ds").returncode == 0
    real = shutil.rmtree
    def half(path, *a, **k):  # deletes one file, then fails, as a full disk or a busy network share can
        next(p for p in Path(path).rglob("*") if p.is_file()).unlink()
        raise OSError(errno.EBUSY, "Device or resource busy")
    monkeypatch.setattr(shutil, "rmtree", half)
    proc = cli("dataset", "data/posts.jsonl", "--out", "ds", "--force", "--seed", "7")
    monkeypatch.setattr(shutil, "rmtree", real)
    assert proc.returncode == 0, proc.stderr
    assert "the old one it replaced could not be deleted" in proc.stderr
    assert sorted(p.name for p in (ws/"ds").iterdir()) == [OUTPUT_MARKER, "stats.json", "train.jsonl", "valid.jsonl"]
    assert json.loads((ws/"ds"/"stats.json").read_text())["seed"] == 7
    assert len(leftovers(ws)) == 1 and leftovers(ws)[0].startswith(".ds.hugtweets-old-")
    assert cli("dataset", "data/posts.jsonl", "--out", "ds", "--force").returncode == 0
    assert leftovers(ws) == []  # the next run on ds removes what the failed delete left

def test_files_and_folders_follow_the_umask(ws, cli):
    old = os.umask(0o022)
    try:
        assert cli("dataset", "data/posts.jsonl", "--out", "ds").returncode == 0
        atomic_write(ws/"note.md", "hi")
    finally: os.umask(old)
    assert oct((ws/"ds").stat().st_mode & 0o777) == oct(0o755)
    for f in (ws/"ds").iterdir(): assert oct(f.stat().st_mode & 0o777) == oct(0o644), f
    assert oct((ws/"note.md").stat().st_mode & 0o777) == oct(0o644)
    old = os.umask(0o077)
    try:
        with atomic_dir(ws/"private") as tmp: atomic_write(tmp/"a.txt", "x")
    finally: os.umask(old)
    assert oct((ws/"private").stat().st_mode & 0o777) == oct(0o700)
    assert oct((ws/"private"/"a.txt").stat().st_mode & 0o777) == oct(0o600)

KILL_DATASET = """
import os, signal, sys
import hugtweets.tweets as t
# A process started in the background by a shell without job control inherits SIGINT ignored, and hugtweets rightly
# leaves an ignored signal ignored; this test is about a run in the foreground, where Ctrl-C interrupts.
signal.signal(signal.SIGINT, signal.default_int_handler)
real = t.write_jsonl
def write_then_kill(path, rows):  # the first file is written, then the run is killed
    real(path, rows)
    signal.raise_signal(getattr(signal, sys.argv[1]))  # runs the handler before it returns, in this thread
    raise AssertionError("the signal did not stop the run")
t.write_jsonl = write_then_kill
from hugtweets.cli import main
sys.exit(main(sys.argv[2:]))
"""

@pytest.mark.parametrize("sig, code, said", [("SIGTERM", 143, "stopped by SIGTERM"), ("SIGINT", 130, "interrupted")])
def test_kill_mid_write_leaves_nothing_behind(ws, cli, sig, code, said):
    assert cli("dataset", "data/posts.jsonl", "--out", "ds", "--seed", "1").returncode == 0
    before = snapshot(ws)
    proc = subprocess.run([sys.executable, "-c", KILL_DATASET, sig, "dataset", "data/posts.jsonl", "--out", "ds", "--force"],
                          cwd=ws, env=cli_env(PYTHONPATH=ROOT), capture_output=True, text=True, timeout=300)
    assert proc.returncode == code, proc.stderr
    assert said in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert snapshot(ws) == before  # the earlier output and the input are untouched
    assert leftovers(ws) == []     # no .ds.hugtweets-tmp-* folder, no lock file

def test_sigterm_in_train_leaves_no_scratch_folder(ws, cli, monkeypatch):
    "In this process: `main` turns SIGTERM into an exit; `train`'s work area (OUT.checkpoints, no epoch saved yet) is removed and TMPDIR stays empty."
    import tempfile
    import hugtweets.generate as g
    from hugtweets.tiny import tiny_gpt2
    assert cli("dataset", "data/posts.jsonl", "--out", "ds").returncode == 0
    base = tiny_gpt2(post_texts())
    (ws/"tmpdir").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(ws/"tmpdir"))
    def trainer_then_kill(model, tok, data, output_dir, **kw):  # the work area exists: SIGTERM before training
        assert Path(output_dir) == ws/"model.checkpoints" and Path(output_dir).is_dir()
        assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, signal.SIG_IGN), "no SIGTERM handler: killing would end pytest"
        signal.raise_signal(signal.SIGTERM)  # runs the handler before it returns, in this thread
        raise AssertionError("SIGTERM did not stop the run")
    monkeypatch.setattr(g, "tweet_trainer", trainer_then_kill)
    before = snapshot(ws)
    proc = cli("train", "ds", "--model", base, "--out", "model")
    assert proc.returncode == 143, proc.stderr
    assert "stopped by SIGTERM" in proc.stderr
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # the handler is gone again
    assert list((ws/"tmpdir").iterdir()) == []
    assert not (ws/"model").exists() and not (ws/"model.checkpoints").exists() and leftovers(ws) == []
    assert snapshot(ws) == before
