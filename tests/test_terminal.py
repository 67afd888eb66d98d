"""What the long commands print: in a terminal and into a file, one bar per phase and one table of epochs by default;
`--verbose` brings back every library's bars and the Trainer's logs, `--quiet` leaves the result; the log for machines
is `log.jsonl` in the output."""
import fcntl, json, os, pty, select, struct, subprocess, sys, termios, time
from pathlib import Path
import pytest
from conftest import cli_env
from test_generate import write_dataset

@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    "A small tweet dataset and a tiny GPT-2 for it."
    from hugtweets.generate import load_tweets
    from hugtweets.tiny import tiny_gpt2
    data = write_dataset(tmp_path_factory.mktemp("data")/"dataset", n=20)
    return data, tiny_gpt2(list(load_tweets(data)["train"]["text"]))

def in_terminal(args, cwd, timeout=600) -> str:
    "Run `hugtweets ARGS` with stdout and stderr on a 120x40 pseudo-terminal; everything it wrote."
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "hugtweets.cli", *map(str, args)], cwd=cwd, stdin=subprocess.DEVNULL,
                            stdout=slave, stderr=slave, env=cli_env(OMP_NUM_THREADS=1))
    os.close(slave)
    out, end = b"", time.monotonic() + timeout
    while time.monotonic() < end:
        if select.select([master], [], [], 1)[0]:
            try: chunk = os.read(master, 65536)
            except OSError: break  # the child closed the terminal
            if not chunk: break
            out += chunk
        elif proc.poll() is not None: break
    proc.wait(timeout=30)
    os.close(master)
    assert proc.returncode == 0, out.decode(errors="replace")[-3000:]
    return out.decode(errors="replace").replace("\r\n", "\n")

def visible_lines(text: str) -> list[str]:
    "The lines left on the screen: a bar redraws its line with carriage returns and never ends it."
    return [l.rsplit("\r", 1)[-1] for l in text.split("\n") if l.rsplit("\r", 1)[-1].strip()]

def test_train_in_a_terminal_shows_a_bar_and_a_table_of_epochs(tiny, tmp_path):
    data, base = tiny
    out = in_terminal(["train", data, "--model", base, "--out", "m", "--epochs", "3", "--lr", "3e-3"], tmp_path)
    lines = visible_lines(out)
    assert "training:" in out and "step" in out                      # the one bar, while it runs
    assert "Tokenizing" not in out and "Packing" not in out and "Loading weights" not in out
    assert "{'loss'" not in out and "grad_norm" not in out           # no Trainer dicts
    head = next(i for i, l in enumerate(lines) if l.split() == ["epoch", "train", "loss", "valid", "loss", "perplexity", "time"])
    rows = [l.split() for l in lines[head + 1:head + 4]]
    assert [r[0] for r in rows] == ["1", "2", "3"] and all(len(r) == 5 for r in rows)
    assert all(abs(float(r[3]) - 2.718281828 ** float(r[2])) / float(r[3]) < 0.01 for r in rows)  # perplexity = exp(valid loss)
    assert len(lines) <= 8, lines
    log = [json.loads(l) for l in (tmp_path/"m"/"log.jsonl").read_text().splitlines()]  # the log for machines
    assert any("loss" in e for e in log) and [round(e["epoch"]) for e in log if "eval_valid_loss" in e] == [1, 2, 3]

def test_verbose_brings_back_the_detail_and_quiet_leaves_the_result(run_cli, tiny):
    data, base = tiny
    proc = run_cli("train", data, "--model", base, "--out", "v", "--epochs", "1", "--lr", "3e-3", "--verbose")
    assert proc.returncode == 0, proc.stderr
    assert "'eval_valid_loss'" in proc.stdout + proc.stderr and "Tokenizing" in proc.stderr   # the Trainer's logs and datasets' bars
    proc = run_cli("train", data, "--model", base, "--out", "q", "--epochs", "1", "--lr", "3e-3", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [l for l in proc.stdout.splitlines() if l.startswith("saved q")] and proc.stdout
    assert "epoch" not in proc.stdout and "%|" not in proc.stderr
    proc = run_cli("train", data, "--model", base, "--out", "x", "--quiet", "--verbose")
    assert proc.returncode == 2 and "not allowed with argument" in proc.stderr

def test_classify_train_prints_one_table_of_epochs(run_cli, tmp_path):
    from hugtweets.learner import learnable_sample
    from hugtweets.tiny import tiny_bert
    df = learnable_sample(80, labels=("ham", "spam"), seed=3)
    df.to_csv(tmp_path/"train.csv", index=False)
    model = tiny_bert(df.text.tolist(), ["ham", "spam"])
    proc = run_cli("classify", "train", "train.csv", "--model", model, "--out", "clf", "--epochs", "2")  # lr_find runs too
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["epoch", "train", "loss", "valid", "loss", "accuracy", "f1", "spam", "time"], lines
    assert [l.split()[0] for l in lines[1:3]] == ["0", "1"] and "\t" not in lines[2] and "\t" in lines[3]
    assert len(lines) == 3 + 8 and "Epoch 1/" not in proc.stdout + proc.stderr   # the table, the metrics, no fastprogress bars
