"""The plain Hugging Face Trainer script that `hugtweets classify train` is compared with, end to end: load the
CSV (its `is_valid` column is the split both use), tokenize with `datasets.map`, train with the Trainer's standard
recipe (linear decay, no warm-up), evaluate accuracy each epoch, save model and tokenizer. It saves a checkpoint
each epoch (the last one kept), as `classify train` does so that `--resume` works.

    python bench/trainer_script.py DATA.csv MODEL OUT --lr 5e-5 --epochs 3 --bs 16 --seed 0

Prints one JSON line: accuracy and the seconds of each phase."""
import time
T0 = time.perf_counter()
import argparse, json, shutil, sys
import numpy as np, pandas as pd
from datasets import Dataset
from transformers import (AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding, Trainer,
                          TrainingArguments)
from transformers.utils import logging as hf_logging

hf_logging.set_verbosity_error()
T_IMPORT = time.perf_counter() - T0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("data"); p.add_argument("model"); p.add_argument("out")
    p.add_argument("--lr", type=float, default=5e-5); p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--bs", type=int, default=16); p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    ph, t = {"import": T_IMPORT}, time.perf_counter()
    df = pd.read_csv(a.data, keep_default_na=False)
    labels = sorted(df.label.unique())
    tok = AutoTokenizer.from_pretrained(a.model)
    model = AutoModelForSequenceClassification.from_pretrained(
        a.model, num_labels=len(labels), id2label=dict(enumerate(labels)), label2id={l: i for i, l in enumerate(labels)})
    ph["load"], t = time.perf_counter() - t, time.perf_counter()
    df["labels"] = df.label.map({l: i for i, l in enumerate(labels)})
    valid = df.is_valid.astype(str).str.lower().isin(["true", "1"])
    enc = lambda b: tok(b["text"], truncation=True)
    train_ds = Dataset.from_pandas(df[~valid][["text", "labels"]], preserve_index=False).map(enc, batched=True, remove_columns=["text"])
    valid_ds = Dataset.from_pandas(df[valid][["text", "labels"]], preserve_index=False).map(enc, batched=True, remove_columns=["text"])
    ph["tokenize"], t = time.perf_counter() - t, time.perf_counter()
    args = TrainingArguments(output_dir=a.out + ".checkpoints", learning_rate=a.lr, num_train_epochs=a.epochs,
                             per_device_train_batch_size=a.bs, per_device_eval_batch_size=64, lr_scheduler_type="linear",
                             eval_strategy="epoch", save_strategy="epoch", save_total_limit=1, logging_strategy="epoch",
                             report_to="none", disable_tqdm=True, seed=a.seed, use_cpu=True)
    acc = lambda ev: {"accuracy": float((np.argmax(ev.predictions, -1) == ev.label_ids).mean())}
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=valid_ds, processing_class=tok,
                      data_collator=DataCollatorWithPadding(tok), compute_metrics=acc)
    trainer.train()
    ph["train, evaluate, checkpoints"], t = time.perf_counter() - t, time.perf_counter()
    accuracy = [e["eval_accuracy"] for e in trainer.state.log_history if "eval_accuracy" in e][-1]
    trainer.save_model(a.out)
    shutil.rmtree(a.out + ".checkpoints", ignore_errors=True)
    ph["save"] = time.perf_counter() - t
    print(json.dumps(dict(accuracy=accuracy, phases=ph, seconds=time.perf_counter() - T0)))


if __name__ == "__main__":
    main()
