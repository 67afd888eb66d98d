"""hugtweets benchmarks: training speed, padding, packing, tokenization and memory, side by side with what
users would use instead. One run measures everything; see bench/README.md for the results and the targets.

    python bench/run.py            # the full run (the figures in bench/README.md)
    python bench/run.py --quick    # fewer examples, shorter maximum length: a few minutes on 2 cores
    python bench/run.py --smoke    # one tiny iteration of each benchmark, to check the wiring (tests use it)

It prints a table, then as its last line a JSON object with the headline ratios.
"""
from __future__ import annotations
import os
import argparse, copy, json, platform, shutil, subprocess, sys, tempfile, time
from pathlib import Path
from statistics import median

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import numpy as np, torch
from transformers import AutoTokenizer
from data import LABELS, news_texts, tweet_texts, classifier_model
import train as T
import real as R

# n: texts generated (the learner holds 20% out, everyone trains on the other 80%); bs: batch size;
# max_len: the model maximum; repeats: interleaved rounds per timing; tweets: texts for the causal-LM packing;
# fixed_repeats: rounds of the fixed-padding Trainer (quick runs time it once: at max_len 512 it is 9x the others).
MODES = {
    "full":  dict(n=3000, max_len=512, bs=32, repeats=3, tweets=5000, tok_texts=3000, size="bench"),
    "quick": dict(n=800, max_len=512, bs=16, repeats=2, fixed_repeats=1, tweets=2000, tok_texts=3000, size="bench"),
    "smoke": dict(n=120, max_len=64, bs=16, repeats=1, tweets=200, tok_texts=100, size="smoke"),
}
CONFIGS = ("learner", "raw", "trainer_fixed", "trainer_best")
VARIANT = "learner_fastai_defaults"  # --variants: the learner with fastai's defaults where hugtweets changed them
KEYS = ("epoch_vs_raw", "speedup_vs_trainer_fixed", "epoch_vs_trainer_best", "padding_efficiency", "clm_token_use",
        "tokenize_speedup", "peak_mem_ratio")
# the real-model keys (bench/real.py), in the order printed
REAL_KEYS = ("minilm_epoch_vs_raw", "minilm_epoch_vs_trainer_best", "minilm_fused_adamw_speedup", "e2e_vs_trainer", "lr_find_seconds", "import_learner_seconds",
             "help_seconds", "accuracy_default_mean", "accuracy_trainer_mean", "accuracy_trainer_sd", "clm_vs_raw", "clm_vs_run_clm",
             "clm_tiny_vs_raw", "clm_tiny_vs_run_clm", "generate_batched_speedup", "generate_tiny_batched_speedup",
             "explain_speedup", "explain_min_pearson", "predict_texts_vs_pipeline",
             "app_first_answer_seconds", "app_classify_median_ms", "app_explain_median_seconds", "app_write_median_seconds",
             "app_four_users_classify_ratio", "int8_speedup", "int8_agreement")


def log(*a): print(*a, file=sys.stderr, flush=True)


def spread(xs) -> str:
    "min-max and the half-range as a share of the median."
    m = median(xs)
    return f"{min(xs):.2f}-{max(xs):.2f} (±{(max(xs) - min(xs)) / 2 / m:.0%})" if len(xs) > 1 else "single run"


# ---- 1 and 2: epoch time and padding efficiency, four ways, interleaved ----------------------------------

def prepare(cfg):
    "The generated texts, the model folder, the hugtweets learner, and the shared `Setup` (the learner's training rows)."
    df = news_texts(cfg["n"], cfg["max_len"])
    path = classifier_model(df, cfg["max_len"], cfg["size"])
    learn = T.learner(df, path, cfg["bs"], cfg["max_len"])
    setup = T.Setup(str(path), T.learner_train_df(learn), cfg["bs"], cfg["max_len"], LABELS)
    lens = np.array([len(x) for x in setup.tokenizer()(setup.train.text.tolist())["input_ids"]])
    cfg["lengths"] = dict(median=float(np.median(lens)), mean=float(np.minimum(lens, cfg["max_len"]).mean()),
                          p90=float(np.percentile(lens, 90)), truncated=float((lens > cfg["max_len"]).mean()))
    return df, path, learn, setup


def epoch_benchmark(cfg, df, path, learn, setup, configs=CONFIGS) -> dict:
    "Median epoch seconds, every run's seconds, tokens and padding efficiency for the four configurations."
    init = copy.deepcopy(learn.model.hf_model.state_dict())
    batches = T.learner_batches(learn)  # the learner's own batches, for the floor
    fixed_ds = T.trainer_dataset(setup, True) if "trainer_fixed" in configs else None
    best_ds = T.trainer_dataset(setup, False)
    configs = tuple(configs) + ((VARIANT,) if cfg.get("variants") else ())
    variant = T.fastai_defaults_learner(T.learner(df, path, cfg["bs"], cfg["max_len"])) if cfg.get("variants") else None
    runs = {
        "learner": lambda: T.learner_epoch(learn, init),
        VARIANT: lambda: T.learner_epoch(variant, init),
        "raw": lambda: T.raw_loop(setup, batches),
        "trainer_fixed": lambda: T.trainer_epoch(setup, True, fixed_ds),
        "trainer_best": lambda: T.trainer_epoch(setup, False, best_ds),
    }
    if "learner_foreach" in configs:  # the learner as it was before its AdamW was fused (bench/README.md)
        foreach = T.foreach_learner(T.learner(df, path, cfg["bs"], cfg["max_len"]))
        runs["learner_foreach"] = lambda: T.learner_epoch(foreach, init)
    T.raw_loop(setup, batches[:3])  # warm up torch (allocator, kernels) outside the clock
    res = {k: [] for k in configs}
    for r in range(cfg["repeats"]):
        order = configs[r % len(configs):] + configs[:r % len(configs)]  # rotate: no configuration always runs first
        for k in order:
            if r >= cfg.get("fixed_repeats", cfg["repeats"]) and k == "trainer_fixed": continue
            e = runs[k]()
            res[k].append(e)
            log(f"  round {r + 1}/{cfg['repeats']} {k:14s} {e.seconds:7.2f} s  padding efficiency {e.padding_efficiency:.3f}")
    return res


# ---- 3: causal-LM token use ------------------------------------------------------------------------------

def clm_benchmark(cfg) -> dict:
    "Token use of the tweet pipeline's packing (GPT-2's 1,024 context) vs padding each tweet to its batch's longest."
    from clm import packed_token_use, padded_token_use
    from hugtweets.tiny import tiny_gpt2
    tweets = tweet_texts(cfg["tweets"])
    tok = AutoTokenizer.from_pretrained(tiny_gpt2(tweets[:500], n_positions=1024))
    return dict(**packed_token_use(tweets, tok, 1024), padded=padded_token_use(tweets, tok, bs=8))


# ---- 4: tokenization -------------------------------------------------------------------------------------

def tokenize_benchmark(cfg) -> dict:
    "Seconds to tokenize a DataFrame column: batched, row by row, and per training batch (the learner's way)."
    from tokenization import time_tokenizers
    df = news_texts(cfg["tok_texts"], cfg["max_len"], seed=1)
    tok = AutoTokenizer.from_pretrained(classifier_model(news_texts(cfg["n"], cfg["max_len"]), cfg["max_len"], cfg["size"]))
    return time_tokenizers(tok, df.text, cfg["max_len"], cfg["bs"], repeats=max(5, cfg["repeats"]))


# ---- 5: peak memory, one subprocess per configuration ----------------------------------------------------

def memory_benchmark(cfg, setup, wait=True):
    """Peak RSS (and CUDA peak on a GPU) of one training step on the largest batch, each in a fresh process.
    With `wait=False` (smoke runs) it returns a function that waits for them, so they overlap the other sections."""
    d = tempfile.mkdtemp()
    rows = Path(d) / "train.json"
    setup.train.to_json(rows)
    cmds = {config: [sys.executable, str(HERE / "mem_step.py"), config, "--n", str(cfg["n"]), "--max-len", str(cfg["max_len"]),
                     "--bs", str(cfg["bs"]), "--size", cfg["size"], "--train", str(rows)]
            for config in ("learner", "raw", "trainer_fixed")}
    start = lambda cmd: subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Each process's peak RSS is its own, so on a CPU the three run at once (a third of the wait, mostly imports);
    # on a GPU one after another, so that each has the device's memory to itself.
    procs = {} if torch.cuda.is_available() else {config: start(cmd) for config, cmd in cmds.items()}
    def collect() -> dict:
        try: return {config: _mem_step(cmd, procs.get(config) or start(cmd)) for config, cmd in cmds.items()}
        finally: shutil.rmtree(d, ignore_errors=True)
    return collect() if wait else collect


def _mem_step(cmd, proc) -> dict:
    "Wait for one mem_step.py configuration's process; its last stdout line as a dict."
    stdout, stderr = proc.communicate()
    if proc.returncode: raise RuntimeError(f"mem_step.py {cmd[2]} failed:\n{stderr[-3000:]}")
    m = json.loads(stdout.strip().splitlines()[-1])
    log(f"  {cmd[2]:14s} peak RSS {m['peak_rss_mb']:.0f} MiB, batch {m['batch']}")
    return m


# ---- report ----------------------------------------------------------------------------------------------

def machine() -> str:
    dev = torch.cuda.get_device_name(0) if torch.cuda.is_available() else f"CPU, {torch.get_num_threads()} torch threads"
    return f"{platform.machine()} {os.cpu_count()} cores, {dev}; torch {torch.__version__}, python {platform.python_version()}"


def report(cfg, ep, clm, tk, mem, seconds) -> dict:
    "Print the table; return the headline ratios."
    med = {k: median(e.seconds for e in v) for k, v in ep.items()}
    paired = lambda a, b: [x.seconds / y.seconds for x, y in zip(ep[a], ep[b])]  # same-round ratios: drift cancels
    print(f"\nhugtweets benchmarks ({cfg['mode']}): {cfg['n']} texts, {ep['raw'][0].samples} "
          f"trained per epoch, max_len {cfg['max_len']}, bs {cfg['bs']}, {cfg['repeats']} interleaved rounds; {machine()}")
    L = cfg["lengths"]
    print(f"text lengths in tokens: median {L['median']:.0f}, mean {L['mean']:.1f} (after truncation), "
          f"90th percentile {L['p90']:.0f}, truncated {L['truncated']:.1%}")
    print("\n1-2. one classification epoch (training only), median of the rounds")
    print(f"{'configuration':24s} {'median s':>9s} {'spread (min-max)':>22s} {'vs raw':>7s} {'vs fixed':>9s} "
          f"{'samples/s':>10s} {'real tok/s':>11s} {'padding eff':>12s}")
    for k in ep:
        e = ep[k][0]
        print(f"{k:24s} {med[k]:9.2f} {spread([x.seconds for x in ep[k]]):>22s} {med[k] / med['raw']:7.2f} "
              f"{med[k] / med['trainer_fixed']:9.3f} {e.samples / med[k]:10.1f} {e.real_tokens / med[k]:11.0f} "
              f"{e.padding_efficiency:12.3f}")
    for a, b in (("learner", "raw"), ("trainer_fixed", "learner"), ("learner", "trainer_best")) + (((VARIANT, "learner"), (VARIANT, "raw")) if VARIANT in ep else ()):
        print(f"  {a} / {b}, per round: " + ", ".join(f"{x:.3f}" for x in paired(a, b)))
    print(f"\n3. causal-LM token use: packing {clm['token_use']:.4f} ({clm['blocks']} blocks of {clm['block_size']}, "
          f"{clm['kept']:.1%} of tokens kept) vs padding each tweet to its batch's longest {clm['padded']:.4f}")
    tm = {k: median(v) for k, v in tk.items()}
    print(f"\n4. tokenizing {cfg['tok_texts']} texts: batched {tm['batched']:.3f} s ({spread(tk['batched'])}), "
          f"row by row {tm['row_by_row']:.3f} s ({spread(tk['row_by_row'])}), per training batch as the learner "
          f"does {tm['per_batch']:.3f} s (with the tokenizer's own 'pt' tensors {tm['per_batch_pt']:.3f} s); TOKENIZERS_PARALLELISM={os.environ.get('TOKENIZERS_PARALLELISM')}")
    print("\n5. one training step on the largest batch, peak RSS of a fresh process (MiB)")
    for k, m in mem.items():
        extra = f", CUDA peak {m['cuda_peak_mb']:.0f}" if "cuda_peak_mb" in m else ""
        print(f"  {k:14s} {m['peak_rss_mb']:7.0f} (before the step {m['rss_before_step_mb']:.0f}; batch {m['batch']}{extra})")
    return dict(epoch_vs_raw=med["learner"] / med["raw"], speedup_vs_trainer_fixed=med["trainer_fixed"] / med["learner"],
                epoch_vs_trainer_best=med["learner"] / med["trainer_best"],
                padding_efficiency=float(np.mean([e.padding_efficiency for e in ep["learner"]])),
                clm_token_use=clm["token_use"], tokenize_speedup=tm["row_by_row"] / tm["batched"],
                peak_mem_ratio=mem["learner"]["peak_rss_mb"] / mem["trainer_fixed"]["peak_rss_mb"])


def main(argv=None):
    p = argparse.ArgumentParser(description="hugtweets benchmarks")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--quick", action="store_true", help="fewer examples and a shorter maximum length")
    g.add_argument("--smoke", action="store_true", help="one tiny iteration of each benchmark")
    p.add_argument("--repeats", type=int, help="interleaved rounds per timing (default: 3)")
    p.add_argument("--n", type=int, help="texts to generate (default: 3000 full, 800 quick)")
    p.add_argument("--variants", action="store_true", help=f"also time {VARIANT}: the learner with fastai's data loading and optimizer defaults")
    p.add_argument("--threads", type=int, default=2, help="torch threads (default: 2)")
    p.add_argument("--only", help="comma-separated sections: tiny (1-5, the tiny model), " + ", ".join(R.SECTION_NAMES) + " (default: all)")
    p.add_argument("--out", help="also write every measurement to this JSON file")
    a = p.parse_args(argv)
    mode = "smoke" if a.smoke else "quick" if a.quick else "full"
    cfg = dict(MODES[mode], **R.REAL[mode], mode=mode, threads=a.threads)
    sections = set(a.only.split(",")) if a.only else {"tiny", *R.SECTION_NAMES}
    if sections - {"tiny", *R.SECTION_NAMES}: p.error(f"unknown sections {sections - {'tiny', *R.SECTION_NAMES}}")
    if a.repeats: cfg["repeats"] = a.repeats
    if a.n: cfg["n"] = a.n
    cfg["variants"] = a.variants
    torch.set_num_threads(a.threads)
    t0 = time.perf_counter()
    keys, full = {}, {}
    if "tiny" in sections:
        df, path, learn, setup = prepare(cfg)
        log("memory (one subprocess per configuration)"); mem = memory_benchmark(cfg, setup, wait=mode != "smoke")
        log("causal-LM packing"); clm = clm_benchmark(cfg)
        log("tokenization"); tk = tokenize_benchmark(cfg)
        log("classification epochs"); ep = epoch_benchmark(cfg, df, path, learn, setup)
        tiny_seconds = time.perf_counter() - t0
    real = R.run_all(cfg, sections, log)
    if "tiny" in sections:
        if callable(mem): mem = mem()  # smoke runs: the memory processes ran beside the other sections
        keys = report(cfg, ep, clm, tk, mem, tiny_seconds)
        full = dict(memory=mem, clm=clm, tokenize=tk, epochs={k: [e.__dict__ for e in v] for k, v in ep.items()})
    real_keys = R.headline(real)
    R.report(cfg, real, real_keys)
    keys.update(real_keys)
    print(f"\ntotal {time.perf_counter() - t0:.0f} s")
    if a.out:
        Path(a.out).write_text(json.dumps(dict(config=cfg, machine=machine(), keys=keys, **full, real=real), indent=1, default=str))
    print(json.dumps({k: round(float(keys[k]), 4) for k in KEYS + REAL_KEYS if k in keys}))


if __name__ == "__main__":
    main()
