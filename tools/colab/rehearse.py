"""Run lessons as a Colab reader does: each notebook copied alone into an empty folder, every cell top to bottom in a
fresh IPython kernel with the stub `google.colab` imported at start-up, hugtweets installed by the lesson's own install
cell from the local wheel. Run by tools/colab_rehearsal.sh with the rehearsal venv's Python (nbclient, ipykernel).

    python tools/colab/rehearse.py --work DIR --wheels DIR --constraints FILE [--hub URL] [--modes offline,online] LESSON...

Prints one line per lesson and mode (mode, seconds, OK or the first error), then a summary line; exits 1 if any failed.
"""
import argparse, os, shutil, sys, threading, time
from contextlib import nullcontext
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

HERE = Path(__file__).resolve().parent
INSTALL = threading.Lock()
OFFLINE = {"HUGTWEETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}

def kernel_env(a, mode: str, folder: Path) -> dict:
    "The kernel's environment: Colab's (no hugtweets settings), the stub on the path, pip pointed at the wheel, caches under --work."
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUGTWEETS_", "HF_", "TRANSFORMERS_", "WANDB_", "KAGGLE", "PIP_"))}
    ipython = a.work/"ipython"
    (ipython/"profile_default"/"startup").mkdir(parents=True, exist_ok=True)
    (ipython/"profile_default"/"startup"/"00-colab.py").write_text("import google.colab  # as in Colab: already imported\n"
                                                                   "import os\nif os.environ.get('REHEARSAL_SOCIALS'):\n"
                                                                   "    import socials; socials.start()  # Mastodon and Bluesky\n")
    cache = a.work/"cache"/mode
    env.update(PYTHONPATH=os.pathsep.join([str(HERE/"stub"), str(HERE)]), IPYTHONDIR=str(ipython), MPLBACKEND="module://matplotlib_inline.backend_inline",
               PIP_FIND_LINKS=str(a.wheels), PIP_NO_INDEX="1", PIP_CONSTRAINT=str(a.constraints), PIP_DISABLE_PIP_VERSION_CHECK="1",
               HUGTWEETS_CACHE=str(cache/"hugtweets"), HF_HOME=str(cache/"hf"), KAGGLEHUB_CACHE=str(cache/"kagglehub"),
               WANDB_MODE="offline", WANDB_SILENT="true", WANDB_DIR=str(folder), WANDB_CACHE_DIR=str(cache/"wandb"),
               WANDB_CONFIG_DIR=str(cache/"wandb-config"), WANDB_DATA_DIR=str(cache/"wandb-data"), TOKENIZERS_PARALLELISM="false",
               COLAB_STUB_DRIVE=str(folder/"drive"), PYDEVD_DISABLE_FILE_VALIDATION="1", OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "1"))
    if mode == "offline": env.update(OFFLINE)
    else:
        env.update(HF_HUB_OFFLINE="0", HF_HUB_DISABLE_XET="1", REHEARSAL_SOCIALS="1")
        if a.hub: env["HF_ENDPOINT"] = a.hub
        if a.kaggle: env.update(KAGGLE_API_ENVIRONMENT="TEST", KAGGLE_USERNAME="rehearsal", KAGGLE_KEY="rehearsal-key")
    return env

def first_error(e: Exception, nb, index: int | None) -> str:
    "One line: which cell, and the error it raised."
    where = f"cell {index}" if index is not None else "kernel"
    if isinstance(e, CellExecutionError): msg = f"{e.ename}: {e.evalue}"
    else: msg = f"{type(e).__name__}: {e}"
    first = next((l for l in nb.cells[index].source.splitlines() if l.strip() and not l.startswith("#|")), "") if index is not None else ""
    return f"{where} ({first.strip()[:60]}): {' '.join(msg.split())[:400]}"

def run(a, lesson: str, mode: str) -> tuple[bool, float, str]:
    folder = a.work/mode/lesson
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    src = a.nbs/f"{lesson}.ipynb"
    shutil.copy(src, folder/src.name)
    nb = nbformat.read(folder/src.name, as_version=4)
    for c in nb.cells:
        if c.cell_type == "code": c.outputs, c.execution_count = [], None
    client = NotebookClient(nb, timeout=a.cell_timeout, kernel_name="python3", resources={"metadata": {"path": str(folder)}})
    env = kernel_env(a, mode, folder)
    t, index = time.monotonic(), None
    try:
        with client.setup_kernel(env=env, cwd=str(folder)):
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code": continue
                with INSTALL if "%pip install" in cell.source else nullcontext():  # one pip at a time in the venv
                    client.execute_cell(cell, index)
        ok, msg = True, "OK"
    except (CellExecutionError, CellTimeoutError, DeadKernelError, RuntimeError) as e: ok, msg = False, first_error(e, nb, index)
    finally: nbformat.write(nb, folder/src.name)   # the executed copy, outputs and all, for a look afterwards
    return ok, time.monotonic() - t, msg

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("lessons", nargs="+")
    p.add_argument("--work", type=Path, required=True)
    p.add_argument("--wheels", type=Path, required=True, help="the folder with the built hugtweets wheel")
    p.add_argument("--constraints", type=Path, required=True)
    p.add_argument("--nbs", type=Path, default=HERE.parents[1]/"nbs")
    p.add_argument("--modes", default="offline,online")
    p.add_argument("--hub", default="", help="the local Hub's URL, for the online mode")
    p.add_argument("--kaggle", action="store_true", help="a Kaggle stand-in listens on localhost:7777 (kagglesdk's test endpoint)")
    p.add_argument("--online", default="", help="comma-separated lessons to run online (default: all)")
    p.add_argument("--cell-timeout", type=int, default=600)
    p.add_argument("--jobs", type=int, default=1, help="lessons run at once")
    a = p.parse_args(argv)
    a.work, a.wheels, a.constraints = a.work.resolve(), a.wheels.resolve(), a.constraints.resolve()
    if "online" in a.modes.split(",") and not a.hub: p.error("the online mode needs --hub (the local Hub's URL)")
    online = set(a.online.split(",")) if a.online else None
    todo = [(lesson, mode) for lesson in a.lessons for mode in a.modes.split(",")
            if not (mode == "online" and online is not None and lesson not in online)]
    counts, failed = {}, 0
    with ThreadPoolExecutor(a.jobs) as pool:  # each lesson runs in a kernel process of its own
        for (lesson, mode), (ok, secs, msg) in zip(todo, pool.map(lambda t: run(a, *t), todo)):
            counts[mode] = counts.get(mode, 0) + 1
            failed += not ok
            print(f"{mode:<8} {lesson:<24} {secs:6.1f} s  {msg}", flush=True)
    ran = ", ".join(f"{n} {m}" for m, n in counts.items())
    print(f"rehearsal: {ran}; {failed} failed" if failed else f"rehearsal: {ran}; all passed", flush=True)
    return 1 if failed else 0

if __name__ == "__main__": sys.exit(main())
