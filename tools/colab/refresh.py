"""Write tools/colab/constraints.txt from Google's published Colab runtime freeze (googlecolab/backend-info).

    python tools/colab/refresh.py FREEZE --commit SHA --date YYYY-MM-DD [--python 3.13.15]

FREEZE is `pip-freeze.gpu.txt` from a checkout of https://github.com/googlecolab/backend-info (name the commit it came
from); `os-info-gpu.txt` there gives the Python version. Every `name==version` line is kept, except what a CPU machine
cannot install, which is replaced or left out as the file's header says: the CUDA torch becomes the CPU torch found
where pip's find-links point (the way tools/setup.sh finds it), and packages built against the CUDA torch or CUDA
itself are left out. The rehearsal (tools/colab_rehearsal.sh) installs under these constraints.
"""
import argparse, os, re, shutil, subprocess, sys, textwrap, zipfile
from pathlib import Path
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

OUT = Path(__file__).with_name("constraints.txt")
# Built against Colab's CUDA torch (a PyPI build of any of them breaks a CPU torch: see FACTS.md on torchvision).
TORCH_BUILT = {"torchvision", "torchaudio", "torchcodec", "torchao", "torchdata", "torchtune", "triton", "xformers"}
CUDA = re.compile(r"^(nvidia-|cuda-|cupy-|jax-cuda|cudf|cuml|cugraph|cuvs|cucim|dask-cuda|rmm|pylibcu|libcu|raft-|ucx|distributed-ucxx|nx-cugraph|pylibraft|ucxx|libkvikio|kvikio|libraft|rapids|cuda|numba-cuda)", re.I)

def local_torch() -> Path | None:
    "The CPU torch wheel in pip's find-links folders, as tools/setup.sh picks it (the newest)."
    links = os.environ.get("PIP_FIND_LINKS") or subprocess.run([shutil.which("python3") or sys.executable, "-m", "pip", "config", "get",
                                                                "global.find-links"], capture_output=True, text=True).stdout
    links = links.split()
    found = sorted((w for d in links for w in Path(d).glob("torch-*+cpu-*.whl")),
                   key=lambda w: [int(x) if x.isdigit() else x for x in re.split(r"[.+]", w.name.split("-")[1])])
    return found[-1] if found else None

def requirements(wheel: Path) -> list[Requirement]:
    "The wheel's own requirements on this machine (no extras)."
    with zipfile.ZipFile(wheel) as z:
        meta = z.read(next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))).decode()
    reqs = [Requirement(l.split(":", 1)[1].strip()) for l in meta.splitlines() if l.startswith("Requires-Dist:")]
    return [r for r in reqs if r.marker is None or r.marker.evaluate({"extra": ""})]

def convert(freeze: str, wheel: Path | None):
    "The kept pins, and a note for each line replaced or left out."
    pins, notes = [], []
    torch = wheel.name.split("-")[1] if wheel else None
    needs = {canonicalize_name(r.name): r for r in requirements(wheel)} if wheel else {}
    for line in freeze.splitlines():
        line = line.strip()
        if not line or line.startswith("#"): continue
        if "==" not in line or " @ " in line:
            notes.append(f"left out (installed from a URL or a local path in Colab): {line.split(' @ ')[0]}")
            continue
        name, version = line.split("==", 1)
        key = name.lower().replace("_", "-")
        if key == "torch":
            if torch is None: notes.append(f"left out: torch=={version} (no CPU torch wheel found in pip's find-links)")
            else:
                pins.append(f"torch=={torch}")
                notes.append(f"torch=={version} -> torch=={torch}: a CPU build from the local wheel; Colab's CUDA build cannot be had here")
        elif key in TORCH_BUILT: notes.append(f"left out: {line} (built against Colab's CUDA torch)")
        elif CUDA.match(key) or "+cu" in version: notes.append(f"left out: {line} (CUDA)")
        elif canonicalize_name(name) in needs and version not in needs[canonicalize_name(name)].specifier:
            notes.append(f"left out: {line} (the substituted torch=={torch} requires {needs[canonicalize_name(name)]})")
        else: pins.append(f"{name}=={version}")
    return pins, notes

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("freeze", type=Path, help="pip-freeze.gpu.txt from googlecolab/backend-info")
    p.add_argument("--commit", required=True, help="the backend-info commit the file came from")
    p.add_argument("--date", required=True, help="that commit's date")
    p.add_argument("--python", default="", help="Colab's Python version (os-info-gpu.txt)")
    p.add_argument("--out", type=Path, default=OUT)
    a = p.parse_args(argv)
    pins, notes = convert(a.freeze.read_text(), local_torch())
    cuda = [n.split(": ", 1)[1].removesuffix(" (CUDA)") for n in notes if n.endswith("(CUDA)")]
    notes = [n for n in notes if not n.endswith("(CUDA)")] + ([f"left out (CUDA): {', '.join(cuda)}"] if cuda else [])
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    header = [f"# Colab's GPU runtime, from googlecolab/backend-info pip-freeze.gpu.txt at {a.commit} ({a.date}).",
              "# Written by tools/colab/refresh.py; do not edit by hand: rerun it on a newer freeze.",
              f"# Colab runs Python {a.python or '(see os-info-gpu.txt)'}; the rehearsal runs Python {here}, the only one on this machine.",
              "# Substitutions:", *[f"#   {l}" for n in notes for l in textwrap.wrap(n, 112, subsequent_indent="  ", break_on_hyphens=False)]]
    a.out.write_text("\n".join(header + pins) + "\n")
    print(f"refresh: {len(pins)} pins, {len(notes)} lines replaced or left out -> {a.out}")

if __name__ == "__main__": main()
