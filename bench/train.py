"""One training epoch of the same tiny classifier on the same examples, four ways, each timed alike.

Every runner starts from the same initial weights, trains one epoch (training phase only: no evaluation,
no saving, no logging, no progress bar) and returns an `Epoch`: the seconds the batches took and the real
and computed token counts of the batches it saw. The clock runs from the first batch's fetch to the end
of the last optimizer step, so one-off setup (tokenizing, building dataloaders, the Trainer's accelerate
preparation) is outside it for all four.
"""
from __future__ import annotations
import copy, tempfile, time, warnings
from dataclasses import dataclass, field
import numpy as np, pandas as pd, torch
import torch.nn.functional as F
from transformers import (AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding, Trainer,
                          TrainerCallback, TrainingArguments, default_data_collator)
from transformers.trainer_callback import PrinterCallback
from transformers.utils import logging as hf_logging

hf_logging.set_verbosity_error()
warnings.filterwarnings("ignore", message=".*fast tokenizer.*")
LR = 1e-4


@dataclass
class Epoch:
    "What one training epoch cost: wall seconds, examples, real tokens and tokens computed (padding included)."
    seconds: float
    samples: int
    real_tokens: int
    computed_tokens: int

    @property
    def padding_efficiency(self): return self.real_tokens / self.computed_tokens


@dataclass
class Setup:
    "The shared inputs: the model folder, the training texts and labels, the batch size and maximum length."
    model_path: str
    train: pd.DataFrame  # columns text, label (label names)
    bs: int
    max_len: int
    labels: tuple
    _init: dict = field(default=None, repr=False)

    def model(self):
        "A fresh copy of the classifier with the shared initial weights."
        m = AutoModelForSequenceClassification.from_pretrained(self.model_path, num_labels=len(self.labels))
        if self._init is None: self._init = copy.deepcopy(m.state_dict())
        m.load_state_dict(self._init)
        return m.to(device())

    def tokenizer(self): return AutoTokenizer.from_pretrained(self.model_path)

    def label_ids(self): return [self.labels.index(l) for l in self.train.label]


def device() -> str: return "cuda" if torch.cuda.is_available() else "cpu"


def sync():
    "Wait for the GPU so the clock measures finished work."
    if torch.cuda.is_available(): torch.cuda.synchronize()


def count_tokens(batches, pad_id) -> tuple[int, int, int]:
    "(examples, real tokens, computed tokens) over an iterable of batches of `input_ids` (with `attention_mask` if given)."
    n = real = computed = 0
    for b in batches:
        ids = b["input_ids"]
        mask = b["attention_mask"] if "attention_mask" in b else (ids != pad_id)
        n, real, computed = n + ids.shape[0], real + int(mask.sum()), computed + ids.numel()
    return n, real, computed


# ---- the floor: a plain PyTorch loop over precomputed batches ---------------------------------------------

def sorted_batches(setup: Setup, seed=0) -> list[dict]:
    "Dynamic-padding, length-sorted batches (chunks of 50 batches sorted by length, batch order shuffled)."
    tok, rng = setup.tokenizer(), np.random.default_rng(seed)
    enc = tok(setup.train.text.tolist(), truncation=True, max_length=setup.max_len)["input_ids"]
    lens, ys = np.array([len(e) for e in enc]), setup.label_ids()
    idx, sz = rng.permutation(len(enc)), setup.bs * 50
    idx = np.concatenate([sorted(idx[i:i + sz], key=lambda j: -lens[j]) for i in range(0, len(idx), sz)])
    groups = [idx[i:i + setup.bs] for i in range(0, len(idx), setup.bs)]
    out = []
    for g in (groups[k] for k in rng.permutation(len(groups))):
        L = lens[g].max()
        ids = torch.full((len(g), L), tok.pad_token_id)
        for r, j in enumerate(g): ids[r, :lens[j]] = torch.tensor(enc[j])
        out.append(dict(input_ids=ids, attention_mask=(ids != tok.pad_token_id).long(), labels=torch.tensor([ys[j] for j in g])))
    return out


def raw_loop(setup: Setup, batches: list[dict]) -> Epoch:
    "The floor: forward, cross-entropy, backward, AdamW step over `batches` already in memory."
    model, dev = setup.model(), device()
    opt = torch.optim.AdamW(model.parameters(), lr=LR)
    batches = [{k: v.to(dev) for k, v in b.items()} for b in batches]
    model.train()
    sync(); t0 = time.perf_counter()
    for b in batches:
        logits = model(input_ids=b["input_ids"], attention_mask=b["attention_mask"]).logits
        loss = F.cross_entropy(logits, b["labels"])
        loss.backward()
        opt.step()
        opt.zero_grad()
    sync()
    return Epoch(time.perf_counter() - t0, *count_tokens(batches, None))


# ---- the HF Trainer, fixed padding and group_by_length ----------------------------------------------------

class EpochClock(TrainerCallback):
    "Times the Trainer's training epoch, from its first batch to its last step."
    def on_epoch_begin(self, args, state, control, **kw): sync(); self.t0 = time.perf_counter()
    def on_epoch_end(self, args, state, control, **kw): sync(); self.seconds = time.perf_counter() - self.t0


def trainer_args(out_dir, bs, **kw) -> TrainingArguments:
    "Trainer settings that make the comparison fair: one epoch, no evaluation, saving, logging or progress bar."
    return TrainingArguments(output_dir=out_dir, per_device_train_batch_size=bs, num_train_epochs=1, learning_rate=LR,
                             eval_strategy="no", save_strategy="no", logging_strategy="no", report_to="none",
                             disable_tqdm=True, use_cpu=not torch.cuda.is_available(), seed=0,
                             dataloader_drop_last=True, **kw)  # drop the last partial batch, as fastai does


def trainer_dataset(setup: Setup, fixed: bool):
    "The training set as a `datasets.Dataset`: padded to `max_len` if `fixed`, else unpadded with a `length` column."
    from datasets import Dataset
    tok = setup.tokenizer()
    enc = tok(setup.train.text.tolist(), truncation=True, max_length=setup.max_len,
              padding="max_length" if fixed else False)
    cols = dict(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"], labels=setup.label_ids())
    if not fixed: cols["length"] = [len(x) for x in enc["input_ids"]]
    return Dataset.from_dict(cols)


def make_trainer(setup: Setup, fixed: bool, out_dir: str, ds=None, **kw) -> Trainer:
    "A `Trainer` with fixed padding (`fixed`) or `DataCollatorWithPadding` + `group_by_length` sampling."
    tok = setup.tokenizer()
    ds = trainer_dataset(setup, fixed) if ds is None else ds
    args = trainer_args(out_dir, setup.bs, train_sampling_strategy="random" if fixed else "group_by_length", **kw)
    collator = default_data_collator if fixed else DataCollatorWithPadding(tok)
    trainer = Trainer(model=setup.model(), args=args, train_dataset=ds, data_collator=collator, processing_class=tok)
    trainer.remove_callback(PrinterCallback)  # it prints the end-of-training summary even with logging off
    return trainer


def trainer_epoch(setup: Setup, fixed: bool, ds=None) -> Epoch:
    "One timed `Trainer` epoch; token counts come from iterating its own training dataloader."
    with tempfile.TemporaryDirectory() as d:
        trainer, clock = make_trainer(setup, fixed, d, ds), EpochClock()
        trainer.add_callback(clock)
        trainer.train()
        counts = count_tokens(trainer.get_train_dataloader(), None)
    return Epoch(clock.seconds, *counts)


# ---- the hugtweets learner -------------------------------------------------------------------------------

def learner(df: pd.DataFrame, model_path, bs: int, max_len: int, seed=42):
    "The hugtweets classification learner on `df` (20% held out, as users get it), progress bar and logging off."
    from hugtweets.learner import text_classifier_learner
    learn = text_classifier_learner(df, str(model_path), bs=bs, max_len=max_len, seed=seed, valid_pct=0.2)
    learn.remove_cbs([cb for cb in learn.cbs if type(cb).__name__ == "ProgressCallback"])
    learn.logger = lambda *a, **k: None
    return learn


def learner_train_df(learn) -> pd.DataFrame:
    "The learner's training rows (text, label), so the other three train on exactly the same examples."
    items = learn.dls.train_ds.items
    return pd.DataFrame([{"text": r["text"], "label": r["label"]} for r in items])


def learner_batches(learn) -> list[dict]:
    "One epoch of the learner's own training batches as plain dicts (inputs and `labels`), for the raw loop."
    return [{**x, "labels": y} for x, y in learn.dls.train]


def _train_clock():
    "A fastai callback that times the training phase of the epoch and skips validation (not part of the comparison)."
    from fastai.callback.core import Callback, CancelValidException
    class TrainClock(Callback):
        order = -100
        def before_train(self): sync(); self.t0 = time.perf_counter()
        def after_train(self): sync(); self.seconds = time.perf_counter() - self.t0
        def before_validate(self): raise CancelValidException()
    return TrainClock()


def learner_epoch(learn, init_state: dict) -> Epoch:
    "One timed `fit_one_cycle` epoch of the learner from `init_state`, with a fresh optimizer."
    learn.model.hf_model.load_state_dict(init_state)
    clock = _train_clock()
    learn.fit_one_cycle(1, LR, cbs=[clock], reset_opt=True)
    return Epoch(clock.seconds, *count_tokens((x for x, _ in learn.dls.train), learn.dls.tokenizer.pad_token_id))


def fastai_defaults_learner(learn):
    """`learn` with fastai's defaults where hugtweets chose otherwise (bench/README.md): DataLoader worker
    processes (`defaults.cpus`), batches sorted by characters, the tokenizer's own tensors, fastai's `Adam`."""
    import types
    from fastai.data.core import DataLoaders
    from tokenization import tokenize_pt
    from fastai.optimizer import Adam
    from fastai.torch_core import defaults
    learn.opt_func = Adam
    train, valid = (dl.new(num_workers=defaults.cpus) for dl in (learn.dls.train, learn.dls.valid))
    train.res = [len(r["text"]) for r in train.dataset.items]
    train.idx_max = int(np.argmax(train.res))
    for dl in (train, valid): dl.tokenize = types.MethodType(tokenize_pt, dl)
    learn.dls = DataLoaders(train, valid)
    return learn


def foreach_learner(learn):
    "`learn` with the multi-tensor (`foreach`) `AdamW` that `hugtweets.modeling.adamw` used before it took the fused one."
    from functools import partial
    from fastai.optimizer import OptimWrapper
    learn.opt_func = lambda params, **kw: OptimWrapper(params, partial(torch.optim.AdamW, foreach=True), **kw)
    return learn
