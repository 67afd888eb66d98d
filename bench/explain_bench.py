"""Explanations: `hugtweets.interpret.explain_batch` over validation texts against transformers-interpret's
`SequenceClassificationExplainer` one text at a time (bench/ti_explain.py), in a separate environment the bench
creates (transformers-interpret pins ipython<8: never in the project's own; without it, captum one text at a time in this process). Same model, n_steps (50), baseline
(pad, special tokens kept), embedding layer (the word embeddings); per-text Pearson correlation of the piece scores."""
from __future__ import annotations
import json, os, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np

HERE = Path(__file__).resolve().parent


def ti_venv(cache: Path, log=print) -> Path | None:
    """The bench's own environment for transformers-interpret (created once, cached): a uv venv with the project's
    torch, transformers and captum versions from the same local wheels/indexes, plus transformers-interpret
    installed with --no-deps. None (with a note) if it cannot be built."""
    import torch, transformers, captum
    venv, py = cache / "ti-venv", cache / "ti-venv" / "bin" / "python"
    if (cache / "ti-venv.ok").is_file(): return py
    log(f"  creating {venv} (transformers-interpret's own environment)")
    pins = [f"torch=={torch.__version__}", f"transformers=={transformers.__version__}", f"captum=={captum.__version__}", "numpy<3"]
    idx = []
    try:
        cfg = subprocess.run(["pip", "config", "list"], capture_output=True, text=True).stdout  # the machine's pip settings (uv ignores them)
        for line in cfg.splitlines():
            k, _, v = line.partition("=")
            v = v.strip("'")
            if k.endswith("find-links"): idx += [a for f in v.split() for a in ("--find-links", f)]
            if k.endswith("extra-index-url"): idx += [a for u in v.split() for a in ("--extra-index-url", u)]
        run = lambda *c: subprocess.run(c, check=True, capture_output=True, text=True)
        run("uv", "venv", "--quiet", "--python", sys.executable, str(venv))
        run("uv", "pip", "install", "--quiet", "--python", str(py), "--compile-bytecode", "--index-strategy", "unsafe-best-match", *idx, *pins)
        run("uv", "pip", "install", "--quiet", "--python", str(py), "--no-deps", "--index-strategy", "unsafe-best-match", *idx, "transformers-interpret==0.10.0")
    except (subprocess.CalledProcessError, FileNotFoundError) as e:
        log(f"  could not build it: {getattr(e, 'stderr', '') or e}"[:2000])
        return None
    (cache / "ti-venv.ok").write_text("ok\n")
    return py


def pearson(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    if len(a) < 2 or a.std() == 0 or b.std() == 0: return float(np.allclose(a, b, atol=1e-6))
    return float(np.corrcoef(a, b)[0, 1])


def explain_benchmark(model_dir, texts, rounds, bs, n_steps, cache: Path, threads=2, separate_env=True, log=print) -> dict:
    "Texts per second of `explain_batch` and of the one-text-at-a-time explainer, interleaved; per-text Pearson."
    import torch
    from hugtweets.hf import load_model
    from hugtweets.interpret import explain_batch
    model, tok = load_model(str(model_dir), "sequence-classification")
    py = ti_venv(cache, log) if separate_env else None
    res = dict(batched=[], one_at_a_time=[], way=None, why=None)
    with tempfile.TemporaryDirectory() as d:
        (Path(d) / "texts.json").write_text(json.dumps(texts))
        explain_batch(model, tok, texts[:bs or 2], bs=bs, n_steps=n_steps)  # warm-up
        for r in range(rounds):
            for k in (("batched", "one") if r % 2 == 0 else ("one", "batched")):
                if k == "batched":
                    t = time.perf_counter()
                    ours = explain_batch(model, tok, texts, bs=bs, n_steps=n_steps, pieces=True)
                    res["batched"].append(time.perf_counter() - t)
                    log(f"  explain round {r + 1}/{rounds} explain_batch  {len(texts) / res['batched'][-1]:6.2f} texts/s")
                elif py is None:  # captum alone needs no environment of its own: in this process, one text at a time
                    from ti_explain import captum_scores
                    if not res["one_at_a_time"]: captum_scores(model, tok, texts[:1], n_steps)  # warm-up, as ti_explain.py does
                    t = time.perf_counter()
                    ti = dict(way="captum", why="the separate environment was not built", scores=captum_scores(model, tok, texts, n_steps))
                    res["one_at_a_time"].append(time.perf_counter() - t)
                    res["way"], res["why"] = ti["way"], ti["why"]
                    log(f"  explain round {r + 1}/{rounds} captum        {len(texts) / res['one_at_a_time'][-1]:6.2f} texts/s")
                else:
                    cmd = [str(py), str(HERE / "ti_explain.py"), str(model_dir), str(Path(d) / "texts.json"),
                           str(Path(d) / "ti.json"), "--n-steps", str(n_steps), "--threads", str(threads)]
                    p = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": str(threads)})
                    if p.returncode: raise RuntimeError(f"ti_explain.py failed:\n{p.stderr[-3000:]}")
                    ti = json.loads((Path(d) / "ti.json").read_text())
                    res["one_at_a_time"].append(ti["seconds"])
                    res["way"], res["why"] = ti["way"], ti["why"]
                    log(f"  explain round {r + 1}/{rounds} {ti['way']:13s} {len(texts) / ti['seconds']:6.2f} texts/s")
    res["pearson"] = [pearson([s for _, s in o], t) if len(o) == len(t) else float("nan") for o, t in zip(ours, ti["scores"])]
    res["n_texts"] = len(texts)
    return res
