"The Hugging Face plumbing: the import graph, a push with a token saved by `hf auth login` to a local stand-in for the Hub, redaction of an echoed token, W&B without a login, and models of the wrong kind."
import ast, subprocess, sys
from pathlib import Path
import pytest
from conftest import ROOT, cli_env

TASK_MODULES = ["core", "hf", "tweets", "tweet_sources", "model_card", "generate", "datablock", "callbacks", "learner",
                "interpret", "blurr", "datasets/iula", "datasets/banfakenews"]
FIXTURES = {"hugtweets.samples", "hugtweets.tiny"}

def _imports(path: Path) -> set[str]:
    "Every module a file imports, anywhere in it (relative imports resolved against the `hugtweets` package)."
    pkg = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import): found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = pkg.split(".")[:len(pkg.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            found.add(base)
            found |= {f"{base}.{a.name}" for a in node.names}
    return found

def test_task_modules_never_import_the_offline_fixtures():
    for name in TASK_MODULES:
        path = ROOT/"hugtweets"/f"{name}.py"
        assert path.is_file(), path
        bad = _imports(path) & FIXTURES
        assert not bad, f"hugtweets/{name}.py imports {bad}"
    assert "hugtweets.samples" in _imports(ROOT/"hugtweets"/"demo.py")  # the check sees what the layer above imports

# --- a local stand-in for the Hub (the `hub` fixture: tests/local_hub.py) ---

SAVED = "hf_savedbyloginSECRET_4321"

def _model_folder(tmp_path) -> Path:
    folder = tmp_path/"model"
    folder.mkdir()
    (folder/"config.json").write_text('{"model_type": "gpt2"}')
    (folder/"README.md").write_text("---\nlicense: mit\n---\n# a model\n")
    return folder

def test_push_uses_the_token_saved_by_hf_auth_login(hub, tmp_path):
    home = tmp_path/"hf-home"
    home.mkdir()
    (home/"token").write_text(SAVED)  # where `hf auth login` saves it
    env = cli_env(HF_ENDPOINT=hub.url, HF_HOME=home, HF_HUB_OFFLINE="0")
    env.pop("HF_TOKEN", None)
    code = ("import sys; from hugtweets.hf import push_folder; print(push_folder(sys.argv[1], 'me/tiny-tweets'))")
    proc = subprocess.run([sys.executable, "-c", code, str(_model_folder(tmp_path))], capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"{hub.url}/me/tiny-tweets"
    hub_calls = [(p, t) for p, t in hub.calls if p == "/api/repos/create" or "/preupload/" in p or "/commit/" in p]
    assert [p.split("/")[-2] if "/api/models/" in p else p for p, _ in hub_calls] == ["/api/repos/create", "preupload", "commit"]
    assert {t for _, t in hub_calls} == {SAVED}
    assert (hub.repo_dir("me/tiny-tweets")/"README.md").read_text() == "---\nlicense: mit\n---\n# a model\n"  # the push is kept
    assert SAVED not in proc.stdout + proc.stderr

@pytest.mark.parametrize("debug", [False, True])
def test_a_token_echoed_by_the_server_is_redacted(hub, tmp_path, monkeypatch, capsys, debug):
    import huggingface_hub.constants as c
    from hugtweets import cli
    from hugtweets.hf import push_folder
    (tmp_path/"token").write_text(SAVED)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setattr(c, "HF_TOKEN_PATH", str(tmp_path/"token"))
    monkeypatch.setattr(c, "ENDPOINT", hub.url)
    monkeypatch.setattr(c, "HF_HUB_OFFLINE", False)
    hub.reject = True
    folder = _model_folder(tmp_path)
    monkeypatch.setattr(cli, "_train", lambda a: push_folder(folder, a.push_to_hub))  # the push step of `train`, alone
    rc = cli.main([*(["--debug"] if debug else []), "train", str(tmp_path), "--out", str(tmp_path/"out"), "--push-to-hub", "me/x"])
    err = capsys.readouterr().err
    assert rc == 1 and ("/api/repos/create", SAVED) in hub.calls  # the server did receive (and echo) the token
    assert SAVED not in err
    assert "could not push to me/x" in err and "***" in err
    assert ("Traceback" in err) == debug

def test_wandb_without_a_login_never_prompts(tmp_path, monkeypatch):
    from hugtweets.core import HugtweetsError
    from hugtweets.hf import wandb_login
    for k in ("WANDB_MODE", "WANDB_API_KEY", "WANDB_IDENTITY_TOKEN_FILE"): monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path/"no-netrc"))
    monkeypatch.setenv("WANDB_CONFIG_DIR", str(tmp_path))
    with pytest.raises(HugtweetsError, match="no W&B login found: run `wandb login`"): wandb_login()
    assert wandb_login("offline") == "offline"

def test_predict_and_explain_refuse_a_model_without_a_classification_head():
    from hugtweets.core import HugtweetsError
    from hugtweets.interpret import explain
    from hugtweets.learner import predict_texts
    from hugtweets.tiny import tiny_gpt2
    lm = tiny_gpt2(["hello there friend", "baking bread again today"] * 10)
    for call in (lambda: predict_texts(lm, ["a text"]), lambda: explain(lm, "a text")):
        with pytest.raises(HugtweetsError, match="no trained classification head; pass a folder written by `hugtweets classify train`"): call()
