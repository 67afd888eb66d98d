"""Every row of the Install table in nbs/index.ipynb, run as written: the CPU rows in a fresh venv, the rows for other
platforms (Colab, an NVIDIA GPU, a Mac) resolved with `uv pip compile` for that platform. The only substitutions: the
wheel built from this tree for `hugtweets`, and the local wheel folder (pip's find-links) for PyTorch's CPU index.

Needs the package indexes and a wheel in dist/ (`bash tools/check_package.sh` builds it); `.ci/run` runs it with
HUGTWEETS_INSTALL_TEST=1. About a minute and a half with uv's cache warm (as after tools/setup.sh)."""
import glob, json, os, re, shlex, shutil, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(os.environ.get("HUGTWEETS_INSTALL_TEST") != "1", reason="set HUGTWEETS_INSTALL_TEST=1 (needs the package indexes)")
CPU_INDEX = "--extra-index-url https://download.pytorch.org/whl/cpu"

def install_rows() -> dict:
    "`{setup: command}` from the Install table of nbs/index.ipynb (the command: the first code span of its cell)."
    cells = json.loads((ROOT/"nbs"/"index.ipynb").read_text())["cells"]
    text = next("".join(c["source"]) for c in cells if "".join(c["source"]).startswith("## Install"))
    rows = [l for l in text.splitlines() if l.startswith("| ") and not l.startswith(("| setup", "|---"))]
    out = {}
    for row in rows:
        setup, command = [c.strip() for c in row.strip("|").split(" | ")][:2]
        out[setup] = re.search(r"`([^`]+)`", command)[1]
    return out

def wheel() -> str:
    found = sorted(glob.glob(str(ROOT/"dist"/"hugtweets-*.whl")))
    if not found: pytest.fail("no wheel in dist/: run `bash tools/check_package.sh` first")
    return found[-1]

def as_run_here(command: str) -> str:
    "The row's command with the two substitutions."
    command = re.sub(r"(?<![\w/.=-])hugtweets(?![\w/.-])", shlex.quote(wheel()), command)
    links = os.environ.get("PIP_FIND_LINKS", "").split()
    for python in (sys.executable, shutil.which("python3")):  # pip's own config (a venv made by uv has no pip)
        if python and not links:
            links = subprocess.run([python, "-m", "pip", "config", "get", "global.find-links"], capture_output=True, text=True).stdout.split()
    local = [d for d in links if glob.glob(f"{d}/torch-*+cpu-*.whl")]
    return command.replace(CPU_INDEX, f"--find-links {local[0]}") if local else command

def uv() -> str: return shutil.which("uv") or f"{sys.executable} -m uv"

def resolve(command: str, platform: str, *extra) -> str:
    "What `pip install ...` (the row's command) resolves to on `platform`, without installing: uv's resolution."
    args = shlex.split(as_run_here(command))
    assert args[:2] == ["pip", "install"], command
    reqs = [f"hugtweets @ file://{a}" if a.endswith(".whl") else a for a in args[2:]]
    proc = subprocess.run([*shlex.split(uv()), "pip", "compile", "-q", "--no-config", "--index-url", "https://pypi.org/simple",
                           "--python-platform", platform, "--python-version", "3.12", *extra, "-"],
                          input="\n".join(reqs), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout

def pins(resolution: str) -> dict:
    return dict(l.split("==", 1) for l in resolution.splitlines() if "==" in l and not l.startswith("#"))

def test_the_table_has_the_rows_this_test_knows():
    assert set(install_rows()) == {"Colab", "Linux with an NVIDIA GPU", "Linux, CPU only", "Mac, Apple silicon (macOS 14+)",
                                   "transformers-interpret (optional)"}

def test_colab_keeps_its_torch():
    got = pins(resolve(install_rows()["Colab"], "x86_64-manylinux_2_28", "-c", str(ROOT/"tools"/"colab-constraints.txt")))
    for line in (ROOT/"tools"/"colab-constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            assert got[name] == version, (name, got.get(name))

def test_nvidia_gets_a_cuda_torch_and_its_torchvision():
    got = pins(resolve(install_rows()["Linux with an NVIDIA GPU"], "x86_64-manylinux_2_28"))
    assert "torch" in got and "torchvision" in got and any(n.startswith("nvidia-") for n in got)

def test_mac_gets_torch_without_cuda():
    got = pins(resolve(install_rows()["Mac, Apple silicon (macOS 14+)"], "aarch64-apple-darwin"))
    assert "torch" in got and not any(n.startswith("nvidia-") or n == "triton" for n in got)

def test_cpu_rows_in_a_fresh_venv(tmp_path):
    "The CPU row as written in a fresh venv, then the transformers-interpret row in the same venv: torch stays the CPU build."
    venv = tmp_path/"venv"
    subprocess.run([*shlex.split(uv()), "venv", "-q", "--seed", "--python", sys.executable, str(venv)], check=True)
    env = {**os.environ, "VIRTUAL_ENV": str(venv), "PATH": f"{venv/'bin'}:{os.environ['PATH']}"}
    for k in ("PYTHONPATH", "HUGTWEETS_OFFLINE", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "WANDB_MODE"): env.pop(k, None)
    def run(command):
        proc = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, (command, proc.stdout[-2000:], proc.stderr[-3000:])
        return proc.stdout
    py = str(venv/"bin"/"python")
    run(as_run_here(install_rows()["Linux, CPU only"]))
    check = ("import importlib.util as u, torch; from transformers import Trainer; import fastai.text.all; "
             "print(torch.__version__, u.find_spec('torchvision') is None)")
    torch_version = run(f"{py} -c 'import torch; print(torch.__version__)'").strip()
    assert run(f"{py} -c {shlex.quote(check)}").splitlines()[-1].split() == [torch_version, "True"]  # Trainer imports, no torchvision
    assert torch_version.endswith("+cpu")
    assert "torch: " + torch_version + " (CPU build)" in run("hugtweets doctor")
    run(as_run_here(install_rows()["transformers-interpret (optional)"]))
    after = run(f"{py} -c 'import torch, IPython, transformers_interpret; print(torch.__version__, IPython.__version__)'").split()
    assert after[0] == torch_version and int(after[1].split(".")[0]) < 8   # the user's torch kept; IPython pinned below 8
