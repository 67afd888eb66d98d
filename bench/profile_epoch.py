"""Where an epoch's time goes: run one configuration for a few epochs under py-spy and sum the samples by phase.

    py-spy record --format raw --rate 200 -o /tmp/learner.txt -- python bench/profile_epoch.py learner --quick
    python bench/profile_epoch.py --summarize /tmp/learner.txt

The phases are found in each sampled stack (the innermost match wins): tokenizing a batch, the model's forward,
the loss, backward, the optimizer step, and everything else (data loader, callbacks, scheduler).
"""
from __future__ import annotations
import argparse, copy, sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

# (phase, substrings of a frame): checked from the innermost frame outwards, first match wins.
PHASES = [("optimizer step", ("fastai/optimizer.py", "torch/optim/")),
          ("backward", ("torch/autograd/", "backward (torch/_tensor.py")),
          ("loss", ("fastai/losses.py", "torch/nn/functional.py:3")),
          ("tokenize batch", ("tokenization_utils", "datablock.py", "data/data_collator.py")),
          ("forward", ("modeling_bert.py", "torch/nn/modules/")),
          ("data loader", ("fastai/data/load.py", "torch/utils/data/")),
          ("callbacks and scheduler", ("fastai/callback/", "fastai/learner.py", "transformers/trainer"))]


def summarize(path) -> Counter:
    "Samples per phase in a py-spy `--format raw` file (only stacks inside the training loop)."
    out = Counter()
    for line in Path(path).read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        frames = stack.split(";")
        if not any(k in stack for k in ("all_batches", "_inner_training_loop", "raw_loop")): continue
        phase = next((p for f in reversed(frames) for p, keys in PHASES if any(k in f for k in keys)), "other")
        out[phase] += int(n)
    return out


def run(config, mode, epochs):
    "Train `config` for `epochs` epochs on the benchmark's data (as run.py does)."
    import torch, train as T
    from run import MODES
    from data import LABELS, news_texts, classifier_model
    cfg = MODES[mode]
    df = news_texts(cfg["n"], cfg["max_len"])
    path = classifier_model(df, cfg["max_len"], cfg["size"])
    learn = T.learner(df, path, cfg["bs"], cfg["max_len"])
    init = copy.deepcopy(learn.model.hf_model.state_dict())
    setup = T.Setup(str(path), T.learner_train_df(learn), cfg["bs"], cfg["max_len"], LABELS)
    batches = T.learner_batches(learn)
    for _ in range(epochs):
        e = (T.learner_epoch(learn, init) if config == "learner" else T.raw_loop(setup, batches) if config == "raw"
             else T.trainer_epoch(setup, config == "trainer_fixed"))
        print(f"{config}: {e.seconds:.2f} s", flush=True)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("config", nargs="?", choices=["learner", "raw", "trainer_fixed", "trainer_best"])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--summarize", help="a py-spy raw output file to sum by phase")
    a = p.parse_args()
    if a.summarize:
        c = summarize(a.summarize)
        total = sum(c.values())
        for k, v in c.most_common(): print(f"{k:25s} {v:7d} samples {v / total:6.1%}")
    else: run(a.config, "quick" if a.quick else "full", a.epochs)
