"""Peak memory of one training step, in a process of its own (run once per configuration by run.py).

    python bench/mem_step.py learner|raw|trainer_fixed --n 1000 --max-len 256 --bs 32 [--size bench]

Prints one JSON line: the peak resident set size of the whole process after one step (`ru_maxrss`), the
resident size just before the step, and the shape of the batch stepped on. On a GPU it adds
`torch.cuda.max_memory_allocated`. tracemalloc would not do: it does not see torch's allocations.

Each configuration steps on its largest batch, the one that decides whether training fits in memory: the
fixed-padding Trainer's batches are all `bs x max_len`; the learner (like fastai's `SortedDL`) serves the
batch holding the longest text (in tokens) first; the raw loop steps on the `bs` longest texts.
"""
from __future__ import annotations
import argparse, json, resource, sys, tempfile
import pandas as pd
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from data import LABELS, news_texts, classifier_model


def rss_mb() -> float:
    "The current resident set size, in MiB."
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"): return int(line.split()[1]) / 1024
    return float("nan")


def peak_mb() -> float: return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def step_learner(df, path, bs, max_len):
    "One `fit` step of the hugtweets learner on its first (largest) batch."
    from fastai.callback.core import Callback, CancelFitException
    from train import learner
    learn = learner(df, path, bs, max_len)  # its loader sorts by tokens and serves the longest text's batch first
    class OneStep(Callback):
        def before_batch(self): self.shape = tuple(self.xb[0]["input_ids"].shape); self.rss = rss_mb()
        def after_batch(self): raise CancelFitException()
    one = OneStep()
    learn.fit(1, 1e-4, cbs=[one])
    return one.shape, one.rss


def step_raw(df, path, bs, max_len):
    "One plain PyTorch step (AdamW) on the learner's largest batch, tokenized without fastai."
    import torch, torch.nn.functional as F
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    from train import device
    tok = AutoTokenizer.from_pretrained(path)
    lens = [len(x) for x in tok(df.text.tolist(), truncation=True, max_length=max_len)["input_ids"]]
    longest = sorted(range(len(df)), key=lambda i: -lens[i])[:bs]
    x = tok(df.text.iloc[longest].tolist(), padding=True, truncation=True, max_length=max_len, return_tensors="pt")
    model = AutoModelForSequenceClassification.from_pretrained(path).to(device()).train()
    x, y = {k: v.to(device()) for k, v in x.items()}, torch.zeros(len(longest), dtype=torch.long, device=device())
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    before = rss_mb()
    F.cross_entropy(model(**x).logits, y).backward()
    opt.step()
    return tuple(x["input_ids"].shape), before


def step_trainer_fixed(df, path, bs, max_len):
    "One step of the HF Trainer with every text padded to `max_len`."
    from train import Setup, make_trainer, TrainerCallback
    setup = Setup(str(path), df, bs, max_len, LABELS)
    class Before(TrainerCallback):
        def on_step_begin(self, args, state, control, **kw): self.rss = rss_mb()
    with tempfile.TemporaryDirectory() as d:
        trainer, before = make_trainer(setup, True, d, max_steps=1), Before()
        trainer.add_callback(before)
        trainer.train()
    return (bs, max_len), before.rss


STEPS = {"learner": step_learner, "raw": step_raw, "trainer_fixed": step_trainer_fixed}

if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("config", choices=list(STEPS))
    p.add_argument("--n", type=int, default=1000)
    p.add_argument("--max-len", type=int, default=256)
    p.add_argument("--bs", type=int, default=32)
    p.add_argument("--size", default="bench")
    p.add_argument("--train", help="a JSON file of the learner's training rows, for raw and trainer_fixed")
    a = p.parse_args()
    df = news_texts(a.n, a.max_len)
    path = classifier_model(df, a.max_len, a.size)
    if a.config != "learner":  # the learner's training rows (it splits the data itself), else as many rows
        df = pd.read_json(a.train) if a.train else df.iloc[:int(len(df) * 0.8)]
    shape, before = STEPS[a.config](df, path, a.bs, a.max_len)
    out = dict(config=a.config, peak_rss_mb=round(peak_mb(), 1), rss_before_step_mb=round(before, 1), batch=list(shape))
    import torch
    if torch.cuda.is_available(): out["cuda_peak_mb"] = round(torch.cuda.max_memory_allocated() / 2**20, 1)
    print(json.dumps(out))
