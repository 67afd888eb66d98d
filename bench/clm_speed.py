"""Causal-LM training speed in tokens per second, one epoch, three ways over the same tweets:
- `hugtweets`: the Trainer that `hugtweets train` builds (`hugtweets.generate.tweet_trainer`: packed blocks,
  its batch plan, cosine schedule), timed from its first batch to its last step (evaluation and saving outside);
- `raw`: a plain PyTorch loop (forward with labels, backward, AdamW) over the same packed blocks, same batch size;
- `run_clm`: the transformers example's recipe: tokenize, `group_texts` into blocks of the same size, a default
  `Trainer` (linear schedule) with `default_data_collator`.
Tokens per second count the block positions each way trains (every position is computed). All three train every
block, the last batch partial, as the Trainer does by default (`dataloader_drop_last=False`)."""
from __future__ import annotations
import copy, json, tempfile, time
from pathlib import Path
import torch
from transformers import AutoTokenizer, GPT2LMHeadModel, Trainer, TrainingArguments, default_data_collator
from transformers.trainer_callback import PrinterCallback
from train import EpochClock, sync

LR = 1e-4


def gpt2_models(tweets, sizes) -> dict:
    "Model folders by name: `tiny` (2 layers, 64 wide) and `distilgpt2-shaped` (6 layers, 768 wide, 12 heads), random weights."
    from hugtweets.tiny import tiny_gpt2
    shapes = {"tiny": dict(n_layer=2, n_embd=64, n_head=2), "distilgpt2-shaped": dict(n_layer=6, n_embd=768, n_head=12)}
    return {k: tiny_gpt2(tweets[:1000], vocab_size=sizes["vocab"], n_positions=sizes["context"], **shapes[k]) for k in sizes["models"]}


def _dataset_dir(tweets, d: Path) -> Path:
    "A folder like `hugtweets dataset` writes (train.jsonl; no valid split: evaluation is not timed)."
    d.mkdir(parents=True, exist_ok=True)
    (d / "train.jsonl").write_text("".join(json.dumps({"text": t, "handle": "bench"}) + "\n" for t in tweets))
    return d


def hugtweets_epoch(path, data_dir, bs, out) -> dict:
    "One epoch of the Trainer `hugtweets train` builds; tokens/s over its packed blocks."
    from hugtweets.generate import load_tweets, tweet_trainer
    from hugtweets.hf import load_model
    lm, tok = load_model(str(path), "causal-lm")
    torch.manual_seed(0)
    trainer = tweet_trainer(lm, tok, load_tweets(data_dir), out, epochs=1, lr=LR, batch_size=bs, plan=(bs, 1))
    from transformers.trainer_callback import ProgressCallback
    for cb in (PrinterCallback, ProgressCallback): trainer.remove_callback(cb)
    clock = EpochClock(); trainer.add_callback(clock)
    trainer.train()
    ds = trainer.train_dataset
    block = len(ds[0]["input_ids"])
    assert not trainer.args.dataloader_drop_last  # every block is trained, the last batch partial
    return dict(seconds=clock.seconds, tokens=len(ds) * block, block=block, blocks=len(ds))


def packed_blocks(path, data_dir) -> list:
    "The packed training blocks `hugtweets train` makes, as a list of dicts of tensors."
    from hugtweets.generate import load_tweets, pack_tweets
    from hugtweets.hf import context_length, load_model
    lm, tok = load_model(str(path), "causal-lm")
    train, _, _ = pack_tweets(load_tweets(data_dir), tok, context_length(lm, tok))
    return [{k: torch.tensor(train[i][k]) for k in ("input_ids", "attention_mask", "labels")} for i in range(len(train))]


def raw_epoch(path, blocks, bs) -> dict:
    "The floor: forward with labels, backward, AdamW over `blocks` in batches of `bs` (the last one partial, as in the Trainer)."
    model = GPT2LMHeadModel.from_pretrained(str(path)).train()
    opt = torch.optim.AdamW(model.parameters(), lr=LR)
    batches = [{k: torch.stack([b[k] for b in blocks[i:i + bs]]) for k in blocks[0]} for i in range(0, len(blocks), bs)]
    sync(); t = time.perf_counter()
    for b in batches:
        model(**b).loss.backward(); opt.step(); opt.zero_grad()
    sync()
    return dict(seconds=time.perf_counter() - t, tokens=sum(b["input_ids"].numel() for b in batches))


def run_clm_epoch(path, tweets, block, bs, out) -> dict:
    "The run_clm recipe: tokenize, `group_texts` into `block`-token blocks, a default Trainer."
    from datasets import Dataset
    tok = AutoTokenizer.from_pretrained(str(path))
    ds = Dataset.from_dict({"text": tweets}).map(lambda b: tok(b["text"]), batched=True, remove_columns=["text"])
    def group_texts(ex):  # as in transformers/examples/pytorch/language-modeling/run_clm.py
        cat = {k: sum(ex[k], []) for k in ex}
        n = len(cat["input_ids"]) // block * block
        res = {k: [t[i:i + block] for i in range(0, n, block)] for k, t in cat.items()}
        res["labels"] = res["input_ids"].copy()
        return res
    ds = ds.map(group_texts, batched=True)
    model = GPT2LMHeadModel.from_pretrained(str(path))
    args = TrainingArguments(output_dir=str(out), per_device_train_batch_size=bs, num_train_epochs=1, learning_rate=LR,
                             report_to="none", save_strategy="no", logging_strategy="no", disable_tqdm=True, use_cpu=True,
                             seed=0)
    trainer = Trainer(model=model, args=args, train_dataset=ds, processing_class=tok, data_collator=default_data_collator)
    trainer.remove_callback(PrinterCallback)
    clock = EpochClock(); trainer.add_callback(clock)
    trainer.train()
    return dict(seconds=clock.seconds, tokens=len(ds) * block, blocks=len(ds))


def clm_speed_benchmark(tweets, sizes, rounds, log=print) -> dict:
    "Interleaved rounds of the three ways for each model; every run's seconds and tokens."
    out = {}
    with tempfile.TemporaryDirectory() as d:
        data_dir = _dataset_dir(tweets, Path(d) / "data")
        for name, path in gpt2_models(tweets, sizes).items():
            bs, blocks = sizes["bs"], packed_blocks(path, data_dir)
            block = len(blocks[0]["input_ids"])
            runs = {"hugtweets": lambda: hugtweets_epoch(path, data_dir, bs, Path(d) / "h"),
                    "raw": lambda: raw_epoch(path, blocks, bs),
                    "run_clm": lambda: run_clm_epoch(path, tweets, block, bs, Path(d) / "r")}
            raw_epoch(path, blocks[:bs], bs)  # warm-up
            res = {k: [] for k in runs}
            for r in range(rounds):
                keys = list(runs)[r % 3:] + list(runs)[:r % 3]
                for k in keys:
                    x = runs[k](); res[k].append(x)
                    log(f"  clm {name} round {r + 1}/{rounds} {k:9s} {x['seconds']:7.2f} s  {x['tokens'] / x['seconds']:8.0f} tokens/s")
            out[name] = dict(block=block, bs=bs, blocks=len(blocks), runs=res)
    return out
