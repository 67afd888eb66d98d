"`hugtweets doctor` on this environment and on a simulated broken torchvision, and the CLI's pointer to it."
from pathlib import Path
import pytest
import hugtweets.cli as cli
from conftest import assert_one_line_error, cli_env

def _broken_torchvision(root: Path) -> Path:
    """A `torchvision` whose import fails as PyPI's CUDA torchvision does beside a CPU torch. Its dist-info makes it
    look installed, so transformers tries to import it, as with the real one."""
    pkg = root/"fake_tv"/"torchvision"
    pkg.mkdir(parents=True)
    (pkg/"__init__.py").write_text('raise RuntimeError("operator torchvision::nms does not exist")\n')
    info = root/"fake_tv"/"torchvision-0.28.0.dist-info"
    info.mkdir()
    (info/"METADATA").write_text("Metadata-Version: 2.1\nName: torchvision\nVersion: 0.28.0\n")
    return root/"fake_tv"

def test_doctor_good_environment(fake_secrets, capsys, monkeypatch):
    "In-process (the CLI's start-up is not what is tested): every check passes here, tokens named, never printed."
    for k, v in cli_env().items(): monkeypatch.setenv(k, v)
    assert cli.main(["doctor"]) == 0
    p = capsys.readouterr()
    lines = p.out.splitlines()
    names = [l.split(":")[0].split(None, 1)[1] for l in lines]
    assert names == ["python", "torch", "transformers", "fastai", "torchvision", "transformers Trainer", "device",
                     "offline mode", "tokens", "caches", "app extra"], lines
    assert all(l.startswith("ok") for l in lines), lines
    assert "HF found, W&B found, X found" in p.out and "HUGTWEETS_OFFLINE" in p.out
    for v in fake_secrets.values(): assert v not in p.out + p.err

def test_doctor_broken_torchvision(run_cli, tmp_path):
    p = run_cli("doctor", env={"PYTHONPATH": _broken_torchvision(tmp_path)})
    assert p.returncode == 1, p.stdout + p.stderr
    tv = [l for l in p.stdout.splitlines() if l.split(":")[0].endswith(" torchvision")]
    assert len(tv) == 1 and tv[0].startswith("FAIL"), p.stdout
    assert "torchvision::nms does not exist" in tv[0] and "fix: pip uninstall -y torchvision" in tv[0]
    trainer = [l for l in p.stdout.splitlines() if "transformers Trainer" in l]
    assert trainer and trainer[0].startswith("FAIL"), p.stdout
    assert "Traceback" not in p.stderr

def test_broken_stack_error_points_to_doctor(monkeypatch, capsys):
    "A command failing as it does on that stack (transformers' error, caused by torchvision's) names `hugtweets doctor`."
    def demo(a):
        try: raise RuntimeError("operator torchvision::nms does not exist")
        except RuntimeError as e: raise ModuleNotFoundError("Could not import module 'Trainer'. Are this object's requirements defined correctly?") from e
    monkeypatch.setattr(cli, "_demo", demo)
    assert cli.main(["demo"]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("hugtweets: error:") and "run `hugtweets doctor`" in err, err

def test_other_errors_do_not_point_to_doctor(monkeypatch, capsys):
    def demo(a): raise ValueError("no such column: text")
    monkeypatch.setattr(cli, "_demo", demo)
    assert cli.main(["demo"]) == 1
    assert "doctor" not in capsys.readouterr().err

def test_doctor_flags_a_cuda_build_without_a_gpu(capsys, monkeypatch, tmp_path):
    "PyPI's CUDA torch on a CPU-only machine: the build is named and flagged with its fix (build string and libraries faked)."
    import sys, torch
    site = tmp_path/"site"
    info = site/"nvidia_cublas-13.0.0.dist-info"
    info.mkdir(parents=True)
    (info/"METADATA").write_text("Metadata-Version: 2.1\nName: nvidia-cublas\nVersion: 13.0.0\n")
    (info/"RECORD").write_text("nvidia/cublas/lib/libcublas.so,,\n")
    (site/"nvidia"/"cublas"/"lib").mkdir(parents=True)
    with open(site/"nvidia"/"cublas"/"lib"/"libcublas.so", "wb") as f: f.truncate(3_200_000_000)  # sparse: no disk used
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setattr(torch, "__version__", "2.14.1+cu130")
    monkeypatch.setattr(torch.version, "cuda", "13.0")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    for k, v in cli_env().items(): monkeypatch.setenv(k, v)
    assert cli.main(["doctor"]) == 0                               # a warning: it runs, on the CPU
    line = next(l for l in capsys.readouterr().out.splitlines() if l.split(":")[0].endswith(" torch"))
    assert line.startswith("WARN  torch: 2.14.1+cu130 (CUDA 13.0 build), but this machine has no usable GPU"), line
    assert "3.2 GB of CUDA libraries (1 package)" in line, line
    assert 'fix: in Colab, pick a GPU runtime' in line and '--index-url https://download.pytorch.org/whl/cpu' in line

def test_doctor_names_the_cpu_build(capsys, monkeypatch):
    import torch
    monkeypatch.setattr(torch, "__version__", "2.13.0+cpu")
    monkeypatch.setattr(torch.version, "cuda", None)
    from hugtweets.doctor import check_versions
    assert str(check_versions()[1]) == "ok    torch: 2.13.0+cpu (CPU build)"
