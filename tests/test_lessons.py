"""The Colab path of every lesson: title, its own Colab badge and an install cell at the top; no cell and no library
call that a lesson reaches stops Run-all at a prompt; W&B only when the reader opted in or a login is found.

The lessons are the rows of the table in nbs/index.ipynb. Colab-only cells run here against a fake `google.colab`."""
import re, shutil, sys, tomllib, types
from pathlib import Path
import nbformat, pytest
from IPython.core.inputtransformer2 import TransformerManager

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT/"nbs"
COLAB = "https://colab.research.google.com/github/hugtweets/hugtweets/blob/main/nbs/{}.ipynb"
BADGE_IMG = "https://colab.research.google.com/assets/colab-badge.svg"
CONFIG = tomllib.loads((ROOT/"pyproject.toml").read_text())

def lessons() -> list[str]:
    "The notebooks in the lessons table of nbs/index.ipynb, in course order."
    index = nbformat.read(NBS/"index.ipynb", as_version=4)
    table = next(c.source for c in index.cells if c.cell_type == "markdown" and "| # | lesson" in c.source)
    return re.findall(r"^\|\s*\d+\s*\|\s*\[[^\]]*\]\((\w+)\.ipynb\)", table, flags=re.M)

LESSONS = lessons()
def read(name): return nbformat.read(NBS/f"{name}.ipynb", as_version=4)
def directives(src): return {m.group(1) for m in re.finditer(r"^#\|\s*([\w-]+)", src, flags=re.M)}
def code_lines(src): return [l for l in src.splitlines() if not l.lstrip().startswith("#")]
def teaching_cells(nb):
    "The code cells a learner runs as lesson code (export cells are library code, checked separately)."
    return [c for c in nb.cells if c.cell_type == "code" and not directives(c.source) & {"export", "exports", "exporti"}]

def test_lessons_table():
    assert len(LESSONS) >= 12 and LESSONS[0] == "01_tweets", LESSONS
    for name in LESSONS: assert (NBS/f"{name}.ipynb").exists(), name

# ---------------------------------------------------------------------------------------------------------------
# The top of every lesson

@pytest.mark.parametrize("name", LESSONS)
def test_title_badge_install(name):
    cells = read(name).cells
    title, badge, install = cells[:3]
    assert title.cell_type == "markdown" and re.match(r"# \S", title.source) and "\n> " in title.source, title.source
    assert badge.cell_type == "markdown"
    links = re.findall(r"\[!\[[^\]]*\]\(([^)]+)\)\]\(([^)]+)\)", badge.source)
    assert links == [(BADGE_IMG, COLAB.format(name))], badge.source   # one badge, pointing at this very notebook
    assert install.cell_type == "code"
    skipped = set(CONFIG["tool"]["nbdev"]["tst_flags"].split()) | {"notest"}
    assert directives(install.source) & skipped, "nbdev-test (CI) must skip the install cell"
    assert re.search(r'^if "google\.colab" in sys\.modules:\n    %pip install -q .*hugtweets', install.source, flags=re.M), install.source
    assert not any(c.cell_type == "code" and "%pip install" in c.source for c in cells[3:]), "one install cell, at the top"

@pytest.mark.parametrize("name", LESSONS)
def test_install_cell_runs_only_in_colab(name, monkeypatch, fake_colab):
    install = read(name).cells[2].source
    monkeypatch.delitem(sys.modules, "google.colab")
    assert run_cell(install).magics == []                      # a local Jupyter or the docs build: nothing installed
    monkeypatch.setitem(sys.modules, "google.colab", fake_colab)
    (magic,) = run_cell(install).magics
    args = magic[1].split()
    assert magic[0] == "pip" and args[:2] == ["install", "-q"], magic
    extras = set(CONFIG["project"]["optional-dependencies"])
    for spec in args[2:]:
        m = re.fullmatch(r'"?hugtweets(?:\[([\w,]+)\])?"?', spec)
        if m and m.group(1): assert set(m.group(1).split(",")) <= extras, spec
    assert any(re.fullmatch(r'"?hugtweets(\[[\w,]+\])?"?', s) for s in args[2:]), args
    assert not any(a.startswith("torch") for a in args), "Colab's own torch stays"

def test_docs_page_top():
    "On the docs site each lesson page gets its title and summary from the title cell, and one badge (the site's copy)."
    sys.path.insert(0, str(ROOT/"docs"))
    try: import prepare
    finally: sys.path.remove(str(ROOT/"docs"))
    for name in LESSONS:
        title, summary = prepare.summary(NBS/f"{name}.ipynb")
        assert title and summary, name
        md = prepare.site_links(read(name).cells[1].source)
        assert md.count("](colab-badge.svg)") == 1 and md.count(COLAB.format(name)) == 1, md

# ---------------------------------------------------------------------------------------------------------------
# Nothing stops Run-all at a prompt

PROMPTS = re.compile(r"(?<![\w.])input\(|getpass|notebook_login|interactive_login|kagglehub\.login|huggingface_hub\.login|"
                     r"(?<![\w.])login\(|wandb\.login\(")

@pytest.mark.parametrize("name", LESSONS)
def test_no_prompt_in_lesson_cells(name):
    for c in teaching_cells(read(name)):
        src = "\n".join(code_lines(c.source))
        assert not PROMPTS.search(src), f"{name} cell {c.id} could prompt: {PROMPTS.search(src).group(0)}"
        assert "use_wandb=True" not in src, f"{name} cell {c.id}: use wandb_enabled(), which never prompts"
        if "wandb.init(" in src: assert "wandb_enabled" in src or "mode=" in src, f"{name} cell {c.id}: wandb.init unguarded"
        for l in code_lines(c.source):   # Drive's permission and the file dialog wait for the reader: only when asked for
            if re.search(r"drive\.mount\(|files\.upload\(", l):
                assert l.startswith(" ") and "colab" in directives(c.source), f"{name} cell {c.id}: {l.strip()} runs unasked"

def test_no_prompt_in_library():
    for path in sorted((ROOT/"hugtweets").rglob("*.py")):
        src = "\n".join(code_lines(path.read_text()))
        for m in PROMPTS.finditer(src):
            line = src[src.rfind("\n", 0, m.start()) + 1: src.find("\n", m.end())]
            assert m.group(0) == "wandb.login(" and "prompt=False" in line, f"{path.name}: {line.strip()}"

# ---------------------------------------------------------------------------------------------------------------
# W&B: on when asked for or logged in; never a prompt

@pytest.fixture
def no_login(monkeypatch, tmp_path):
    "No W&B setting or login anywhere (a fresh HOME), and any prompt fails the test."
    for k in ("HUGTWEETS_WANDB", "WANDB_MODE", "WANDB_API_KEY", "WANDB_IDENTITY_TOKEN_FILE", "WANDB_BASE_URL", "NETRC"):
        monkeypatch.setenv(k, "x"); monkeypatch.delenv(k)   # restored afterwards even where the code under test sets it
    monkeypatch.setenv("HOME", str(tmp_path))
    def prompted(*a, **k): raise AssertionError("prompted")
    import builtins, getpass
    monkeypatch.setattr(builtins, "input", prompted)
    monkeypatch.setattr(getpass, "getpass", prompted)
    return tmp_path

def test_wandb_enabled(no_login, monkeypatch, fake_colab):
    from hugtweets.core import HugtweetsError
    from hugtweets.hf import wandb_enabled, wandb_login
    monkeypatch.delitem(sys.modules, "google.colab")
    assert wandb_enabled() is False and wandb_enabled(True) is True
    with pytest.raises(HugtweetsError, match="no W&B login found"): wandb_login()   # opted in, no login: one line
    netrc = no_login/"wandb.netrc"
    netrc.write_text("machine api.wandb.ai\n  login user\n  password FAKE-wandb-0123456789\n")
    monkeypatch.setenv("NETRC", str(netrc))
    assert wandb_enabled() is True and wandb_enabled(False) is False
    monkeypatch.setenv("HUGTWEETS_WANDB", "0")
    assert wandb_enabled() is False
    monkeypatch.setenv("HUGTWEETS_WANDB", "1"); monkeypatch.delenv("NETRC")
    assert wandb_enabled() is True
    monkeypatch.delenv("HUGTWEETS_WANDB")
    monkeypatch.setenv("WANDB_MODE", "offline"); assert wandb_enabled() is True
    monkeypatch.setenv("WANDB_MODE", "disabled"); assert wandb_enabled() is False

def test_wandb_enabled_reads_colab_secrets(no_login, fake_colab):
    from hugtweets.hf import wandb_enabled
    fake_colab.secrets.clear()
    assert wandb_enabled() is False
    fake_colab.secrets["WANDB_API_KEY"] = "FAKE-colab-wandb-key-42"
    assert wandb_enabled() is True
    import os
    assert os.environ["WANDB_API_KEY"] == "FAKE-colab-wandb-key-42"   # so `!hugtweets ... --wandb` finds it too

# ---------------------------------------------------------------------------------------------------------------
# The Colab-only cells, run against a fake google.colab

class Ran:
    "What a cell asked of IPython: magics and shell commands."
    def __init__(self): self.magics, self.commands = [], []

def run_cell(src, ns=None, replace=()):
    "Run a notebook cell's IPython source with a recording `get_ipython`; `replace`: (old, new) pairs applied first."
    for old, new in replace:
        assert old in src, old
        src = src.replace(old, new)
    ran, ns = Ran(), dict(ns or {})
    expand = lambda cmd: re.sub(r"\{([^{}]+)\}", lambda m: str(eval(m.group(1), ns)), cmd)
    shell = types.SimpleNamespace(run_line_magic=lambda name, line: ran.magics.append((name, line)),
                                  system=lambda cmd: ran.commands.append(" ".join(expand(cmd).split())))
    ns["get_ipython"] = lambda: shell
    exec(compile(TransformerManager().transform_cell(src), "<cell>", "exec"), ns)
    ran.ns = ns
    return ran

@pytest.fixture
def fake_colab(monkeypatch, tmp_path):
    "A stand-in for `google.colab` (drive, files, userdata) in sys.modules; `.mounted`, `.uploads`, `.secrets`."
    colab = types.ModuleType("google.colab")
    colab.mounted, colab.uploads, colab.secrets = [], {}, {}
    colab.drive = types.SimpleNamespace(mount=lambda path: colab.mounted.append(path))
    def upload():
        for name, src in colab.uploads.items(): shutil.copy(src, name)
        return {name: b"" for name in colab.uploads}
    colab.files = types.SimpleNamespace(upload=upload)
    def get(key):
        if key not in colab.secrets: raise KeyError(key)
        return colab.secrets[key]
    colab.userdata = types.SimpleNamespace(get=get)
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    for sub in ("drive", "files", "userdata"): monkeypatch.setitem(sys.modules, f"google.colab.{sub}", getattr(colab, sub))
    return colab

def colab_cell(name, needle):
    (c,) = [c for c in read(name).cells if c.cell_type == "code" and "colab" in directives(c.source) and needle in c.source]
    return c.source

def test_own_archive_cell(fake_colab, tmp_path, monkeypatch):
    "Lesson 01: left as it is, the cell does nothing; with `upload` it builds a dataset from the uploaded archive."
    from hugtweets.samples import sample_archive
    from hugtweets.tweets import build_dataset
    src = colab_cell("01_tweets", "my_archive")
    monkeypatch.chdir(tmp_path)
    ns = dict(Path=Path, build_dataset=build_dataset)
    run_cell(src, ns)
    assert fake_colab.mounted == [] and list(tmp_path.iterdir()) == []
    fake_colab.uploads["my-archive.zip"] = sample_archive("mayabakesbread")
    run_cell(src, ns, replace=[('my_archive = ""', 'my_archive = "upload"')])
    assert {p.name for p in (tmp_path/"my-dataset").iterdir()} >= {"train.jsonl", "valid.jsonl", "stats.json"}

@pytest.mark.parametrize("name,out", [("02_generate", "my-model"), ("10_bangla_fake_news", "mbert")])
def test_drive_cell_resumes(name, out, fake_colab, no_login, tmp_path, monkeypatch):
    "Lessons 02 and 10: off unless asked (mounting asks for permission); on Drive, a rerun after a disconnect adds --resume."
    import os, shlex
    import pandas as pd
    from hugtweets.hf import wandb_enabled
    src = colab_cell(name, "drive.mount")
    ns = dict(os=os, shlex=shlex, archives=["a.zip"], df=pd.DataFrame({"text": ["x"], "label": ["fake"]}), wandb_enabled=wandb_enabled)
    assert run_cell(src, ns).commands == [] and fake_colab.mounted == []
    drive = tmp_path/"drive"
    mine = re.search(r'^    mine = "([^"]+)"', src, flags=re.M).group(1)
    on = [("on_drive = False", "on_drive = True"), (f'mine = "{mine}"', f'mine = "{drive}"')]
    first = run_cell(src, ns, replace=on).commands
    assert fake_colab.mounted == ["/content/drive"]
    train = [c for c in first if " train " in f" {c} "]
    assert len(train) == 1 and f"--out {drive}/{out}" in train[0] and "--resume" not in train[0] and "--wandb" not in train[0]
    (drive/f"{out}.checkpoints").mkdir(parents=True)   # the run was cut short after an epoch
    (drive/"dataset").mkdir(); (drive/"train.csv").touch()   # ... and had written its data
    fake_colab.secrets["WANDB_API_KEY"] = "FAKE-colab-wandb-key-42"
    again = run_cell(src, {}, replace=on).commands   # after a reconnect: the install cell, then this one, nothing else
    assert again == [train[0] + " --resume --wandb"], again
