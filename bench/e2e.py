"""End to end, as users run it: `hugtweets classify train` (a subprocess, a fixed `--lr`) against the plain Trainer
script (bench/trainer_script.py) on the same CSV and split, in interleaved rounds; where the command's seconds go
(the library timed in-process, phase by phase, in the parity runs); import times; and accuracy parity of the default
recipes, seed by seed."""
from __future__ import annotations
import json, os, subprocess, sys, tempfile, time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def user_env(threads: int) -> dict:
    "The environment of a user's run: offline hub (the model is a local folder), `threads` torch threads, not the tests' tiny-model mode."
    env = {k: v for k, v in os.environ.items() if k != "HUGTWEETS_OFFLINE"}  # that mode caps training at one thread
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    return env


def write_split(df, path, valid_pct=0.2, seed=42) -> Path:
    "`df` (text, label) as a CSV with a stratified `is_valid` column: the one split both sides use."
    from hugtweets.modeling import stratified_split
    import numpy as np
    df = df.copy()
    _, valid = stratified_split(df["label"], valid_pct, seed)
    df["is_valid"] = np.isin(np.arange(len(df)), valid)
    df.to_csv(path, index=False)
    return Path(path)


def run_command(csv, model, out, lr, epochs, bs, threads) -> dict:
    "`hugtweets classify train` as a subprocess: wall seconds and its printed metrics."
    cmd = [str(Path(sys.executable).parent / "hugtweets"), "classify", "train", str(csv), "--model", str(model), "--out", str(out),
           "--lr", str(lr), "--epochs", str(epochs), "--batch-size", str(bs), "--force"]
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=user_env(threads))
    sec = time.perf_counter() - t
    if p.returncode: raise RuntimeError(f"hugtweets classify train failed:\n{p.stderr[-3000:]}")
    metrics = dict(l.split("\t", 1) for l in p.stdout.splitlines() if "\t" in l)
    return dict(seconds=sec, accuracy=float(metrics["accuracy"]))


def run_trainer_script(csv, model, out, lr, epochs, bs, seed, threads) -> dict:
    "bench/trainer_script.py as a subprocess: wall seconds, accuracy and its own phases."
    cmd = [sys.executable, str(HERE / "trainer_script.py"), str(csv), str(model), str(out), "--lr", str(lr),
           "--epochs", str(epochs), "--bs", str(bs), "--seed", str(seed)]
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=user_env(threads))
    sec = time.perf_counter() - t
    if p.returncode: raise RuntimeError(f"trainer_script.py failed:\n{p.stderr[-3000:]}")
    return {**json.loads(p.stdout.strip().splitlines()[-1]), "seconds": sec}


def import_times(threads: int, repeats: int = 3, only=None) -> dict:
    "Median seconds, each in a fresh process: `hugtweets --help`, `import hugtweets.cli`, `import hugtweets.learner`, `import hugtweets.generate`."
    from statistics import median
    py, env = sys.executable, user_env(threads)
    probes = {"hugtweets --help": [str(Path(py).parent / "hugtweets"), "--help"]}
    for m in ("hugtweets.cli", "hugtweets.learner", "hugtweets.generate"):
        probes[f"import {m}"] = [py, "-c", f"import {m}"]
    probes = {k: v for k, v in probes.items() if only is None or k in only}
    out = defaultdict(list)
    for _ in range(repeats):
        for k, cmd in probes.items():
            t = time.perf_counter()
            subprocess.run(cmd, capture_output=True, check=True, env=env)
            out[k].append(time.perf_counter() - t)
    return {k: median(v) for k, v in out.items()}


@contextmanager
def _timed_library(phases: dict):
    "Time the pieces of `hugtweets.learner.train_classifier` in-process, by wrapping them; restored afterwards."
    import hugtweets.learner as HL
    from fastai.learner import Learner
    saved = dict(tcl=HL.text_classifier_learner, ck=HL.EpochCheckpoint, lf=Learner.lr_find, sp=Learner.save_pretrained)
    def wrap(name, f):
        def g(*a, **k):
            t = time.perf_counter()
            try: return f(*a, **k)
            finally: phases[name] += time.perf_counter() - t
        return g
    class TimedCheckpoint(saved["ck"]):
        "`EpochCheckpoint` that also times the fit's training and validation phases and its own saving."
        def before_train(self): self.t = time.perf_counter()
        def after_train(self):
            super().after_train(); phases["fit: train"] += time.perf_counter() - self.t
        def before_validate(self): self.t = time.perf_counter()
        def after_validate(self): phases["fit: validate each epoch"] += time.perf_counter() - self.t
        def after_epoch(self):
            t = time.perf_counter(); super().after_epoch(); phases["fit: checkpoint each epoch"] += time.perf_counter() - t
    HL.text_classifier_learner = wrap("load: table, model, tokenizer, token lengths", saved["tcl"])
    HL.EpochCheckpoint = TimedCheckpoint
    Learner.lr_find = wrap("lr_find", saved["lf"])
    Learner.save_pretrained = wrap("save model, tokenizer, card", saved["sp"])
    try: yield phases
    finally:
        HL.text_classifier_learner, HL.EpochCheckpoint = saved["tcl"], saved["ck"]
        Learner.lr_find, Learner.save_pretrained = saved["lf"], saved["sp"]


def library_run(csv, model, out, epochs, bs, seed, lr=None, threads=2) -> dict:
    "`train_classifier` in-process (the default recipe when `lr` is None: lr_find, then one-cycle), phase by phase."
    import torch
    from hugtweets.learner import train_classifier
    torch.set_num_threads(threads)
    phases = defaultdict(float)
    offline = os.environ.pop("HUGTWEETS_OFFLINE", None)  # as users run it (that mode caps training at one thread)
    try:
        with _timed_library(phases):
            t = time.perf_counter()
            m = train_classifier(str(csv), str(model), str(out), epochs=epochs, lr=lr, bs=bs, seed=seed, force=True)
            total = time.perf_counter() - t
    finally:
        if offline is not None: os.environ["HUGTWEETS_OFFLINE"] = offline
    phases["other (checks, checkpoint area, writing the folder)"] = total - sum(phases.values())
    return dict(seconds=total, accuracy=float(m["accuracy"]), lr=float(m["lr"]), phases=dict(phases))


def e2e_benchmark(df, model, cfg, log=print) -> dict:
    "Interleaved rounds of the command (fixed lr) and the Trainer script (seed = round); then import times."
    ep, bs, lr, threads = cfg["epochs"], cfg["bs"], cfg["lr"], cfg["threads"]
    res = dict(command=[], trainer=[])
    with tempfile.TemporaryDirectory() as d:
        csv = write_split(df, Path(d) / "data.csv")
        side = dict(command=lambda r: run_command(csv, model, Path(d) / "cmd-out", lr, ep, bs, threads),
                    trainer=lambda r: run_trainer_script(csv, model, Path(d) / "trainer-out", lr, ep, bs, r, threads))
        for r in range(cfg["rounds"]):
            order = ("command", "trainer") if r % 2 == 0 else ("trainer", "command")
            if cfg.get("concurrent"):  # smoke runs check the wiring, not the time: both sides at once
                with ThreadPoolExecutor(2) as ex: xs = dict(zip(order, ex.map(lambda k: side[k](r), order)))
            else: xs = {k: side[k](r) for k in order}  # a dict keeps the order: one after the other
            for k in order:
                res[k].append(xs[k])
                log(f"  e2e round {r + 1}/{cfg['rounds']} {k:8s} {xs[k]['seconds']:7.1f} s  accuracy {xs[k]['accuracy']:.3f}")
    res["imports"] = import_times(threads, repeats=cfg.get("import_repeats", 3), only=cfg.get("import_probes"))
    return res


def parity_benchmark(df, model, cfg, log=print) -> dict:
    """Accuracy of the two default recipes on the same split, seed by seed: the library's (`train_classifier` without
    `lr`: lr_find's suggestion, then one-cycle; in-process, phase by phase) and the Trainer script's (lr `cfg['lr']`,
    linear decay). Smoke runs (`concurrent`) run both sides of a seed at once."""
    ep, bs, lr, threads = cfg["epochs"], cfg["bs"], cfg["lr"], cfg["threads"]
    res = dict(n=len(df), trainer=[], default_recipe=[])
    with tempfile.TemporaryDirectory() as d:
        csv = write_split(df, Path(d) / "data.csv")
        for s in range(cfg["seeds"]):
            trainer = lambda: run_trainer_script(csv, model, Path(d) / "trainer-out", lr, ep, bs, s, threads)
            library = lambda: library_run(csv, model, Path(d) / "lib-out", ep, bs, seed=s, threads=threads)
            if cfg.get("concurrent"):
                with ThreadPoolExecutor(1) as ex: t = ex.submit(trainer); x = library(); t = t.result()
            else: t, x = trainer(), library()
            res["trainer"].append(t); res["default_recipe"].append(x)
            log(f"  parity seed {s}: default recipe {x['seconds']:7.1f} s  lr {x['lr']:.2e}  accuracy {x['accuracy']:.3f};  "
                f"Trainer {t['seconds']:7.1f} s  accuracy {t['accuracy']:.3f}")
    return res


def trained_model(df, model, out, cfg) -> Path:
    "A fine-tuned classifier folder (the command's recipe with the fixed lr, in-process), for explanations and inference."
    if (Path(out) / "config.json").is_file(): return Path(out)
    with tempfile.TemporaryDirectory() as d:
        csv = write_split(df, Path(d) / "data.csv")
        library_run(csv, model, out, cfg["epochs"], cfg["bs"], seed=0, lr=cfg["lr"], threads=cfg["threads"])
    return Path(out)
