"Shared fixtures for the integration and CLI tests."
import os, subprocess, sys
from pathlib import Path
import pytest
from local_hub import LocalHub

ROOT = Path(__file__).resolve().parents[1]
FAKE_SECRETS = {"X_BEARER_TOKEN": "xbearer-test-SECRET-1234", "HF_TOKEN": "hf_test_SECRET_5678",
                "WANDB_API_KEY": "wandb-test-SECRET-9012abcdef"}

def cli_env(**extra):
    "The environment the CLI tests run in: offline, caches in the work tree's .cache, plus `extra`."
    env = {**os.environ, "HUGTWEETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "WANDB_MODE": "offline", "WANDB_SILENT": "true", "MPLBACKEND": "Agg", "TOKENIZERS_PARALLELISM": "false"}
    env.setdefault("HUGTWEETS_CACHE", str(ROOT/".cache"/"hugtweets"))
    env.update({k: str(v) for k, v in extra.items()})
    return env

@pytest.fixture
def run_cli(tmp_path):
    "Run `hugtweets ARGS...` in `tmp_path` as a user would; returns the CompletedProcess (text mode)."
    def run(*args, env=None, timeout=900):
        return subprocess.run([sys.executable, "-m", "hugtweets.cli", *map(str, args)], cwd=tmp_path, text=True,
                              capture_output=True, env=cli_env(**(env or {})), timeout=timeout)
    return run

@pytest.fixture
def fake_secrets(monkeypatch):
    "Set recognisable fake values for every secret variable; returns them so a test can look for leaks."
    for k, v in FAKE_SECRETS.items(): monkeypatch.setenv(k, v)
    return dict(FAKE_SECRETS)

def assert_one_line_error(proc, *fragments):
    "The CLI failed with exit code != 0, printed one `hugtweets: error:` line containing `fragments`, and no traceback."
    assert proc.returncode != 0, proc.stdout
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [l for l in proc.stderr.splitlines() if l.startswith("hugtweets: error:")]
    assert len(lines) == 1, proc.stderr
    for f in fragments: assert f in lines[0], lines[0]

@pytest.fixture(autouse=True)
def fresh_wandb():
    "After each test, finish any W&B run and reset W&B's process-wide settings: it reads `WANDB_DIR` only once."
    yield
    wandb = sys.modules.get("wandb")
    if wandb is not None:
        if wandb.run is not None: wandb.finish()
        wandb.teardown()

@pytest.fixture(scope="session", autouse=True)
def one_torch_thread():
    "Tiny models on two shared cores: one torch thread each is several times faster than competing ones; restored after."
    try: import torch
    except ImportError:
        yield
        return
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)

class Proc:
    "What the `cli` fixture returns: a CLI run in this process (faster than `run_cli`: the imports are paid once)."
    def __init__(self, returncode, stdout, stderr): self.returncode, self.stdout, self.stderr = returncode, stdout, stderr

@pytest.fixture
def cli(capsys):
    "Run `hugtweets ARGS...` in this process, in the current folder; returns a `Proc` (exit code, stdout, stderr)."
    from hugtweets.cli import main
    def run(*args):
        capsys.readouterr()
        rc = main([str(a) for a in args])
        out = capsys.readouterr()
        return Proc(rc, out.out, out.err)
    return run

@pytest.fixture
def hub(tmp_path):
    "A local Hub (tests/local_hub.py) with no repos yet; it answers 500 after 30 calls, so a retry loop cannot run away."
    with LocalHub(tmp_path/"hub", limit=30) as server: yield server
