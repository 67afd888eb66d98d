"""Tokenizing a DataFrame column: one batched call of the fast tokenizer vs `Series.apply` row by row.

Also times what the hugtweets learner does (`HFTextDL.tokenize`: one batched call per training batch), to
show the per-batch tokenization it does inside the epoch costs little next to the model.
"""
from __future__ import annotations
import time
import pandas as pd


def batched(tok, texts: pd.Series, max_len: int):
    "The whole column in one call: the Rust tokenizer loops, in parallel when TOKENIZERS_PARALLELISM allows."
    return tok(texts.tolist(), truncation=True, max_length=max_len)["input_ids"]


def row_by_row(tok, texts: pd.Series, max_len: int):
    "What many notebooks do: `df.text.apply(tokenizer)`, one Python call per row."
    return texts.apply(lambda t: tok(t, truncation=True, max_length=max_len)["input_ids"]).tolist()


def tokenize_pt(dl, texts) -> dict:
    "What `HFTextDL.tokenize` did before: the tokenizer's own `return_tensors=\"pt\"` (bench/README.md, change 4)."
    return dict(dl.tokenizer(list(texts), padding=True, truncation=True, max_length=dl.max_len, return_tensors="pt"))


def per_batch(tok, texts: pd.Series, max_len: int, bs: int, tokenize=None):
    "The learner's way, one padded call per training batch of `bs` texts: `HFTextDL.tokenize` itself unless `tokenize` is given."
    from types import SimpleNamespace
    from hugtweets.datablock import HFTextDL
    tokenize, dl, ts = tokenize or HFTextDL.tokenize, SimpleNamespace(tokenizer=tok, max_len=max_len), texts.tolist()
    return [tokenize(dl, ts[i:i + bs]) for i in range(0, len(ts), bs)]


def time_tokenizers(tok, texts: pd.Series, max_len: int, bs: int, repeats: int = 3) -> dict[str, list[float]]:
    "Seconds for each way, `repeats` interleaved rounds; checks that batched and row-by-row give the same ids."
    assert batched(tok, texts[:50], max_len) == row_by_row(tok, texts[:50], max_len)
    ways = {"batched": lambda: batched(tok, texts, max_len), "row_by_row": lambda: row_by_row(tok, texts, max_len),
            "per_batch": lambda: per_batch(tok, texts, max_len, bs), "per_batch_pt": lambda: per_batch(tok, texts, max_len, bs, tokenize_pt)}
    for way in ways.values(): way()  # warm up: the tokenizer's thread pool and caches start outside the clock
    times = {k: [] for k in ways}
    for r in range(repeats):
        names = list(ways)[r % len(ways):] + list(ways)[:r % len(ways)]
        for k in names:
            t0 = time.perf_counter(); ways[k](); times[k].append(time.perf_counter() - t0)
    return times
