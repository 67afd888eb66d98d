"""Inference: `Learner.predict_texts` over many texts against `transformers.pipeline("text-classification")` with a
good batch size, the same fine-tuned model and threads; interleaved rounds; the labels must agree."""
from __future__ import annotations
import time


def inference_benchmark(model_dir, train_df, texts, rounds, bs_learner=64, bs_pipeline=64, log=print) -> dict:
    "Texts per second of both ways, and the share of texts where their labels agree."
    from transformers import pipeline
    from hugtweets.learner import text_classifier_learner
    learn = text_classifier_learner(train_df, str(model_dir))  # the learner around the fine-tuned model, as after training
    clf = pipeline("text-classification", model=learn.model.hf_model, tokenizer=learn.dls.tokenizer, device=-1)
    runs = dict(predict_texts=lambda: [l for l, _ in learn.predict_texts(texts, bs=bs_learner)],
                pipeline=lambda: [r["label"] for r in clf(texts, batch_size=bs_pipeline, truncation=True)])
    learn.predict_texts(texts[:bs_learner]); clf(texts[:bs_pipeline], batch_size=bs_pipeline, truncation=True)  # warm-up
    res, labels = {k: [] for k in runs}, {}
    for r in range(rounds):
        for k in (list(runs) if r % 2 == 0 else list(runs)[::-1]):
            t = time.perf_counter(); labels[k] = runs[k](); res[k].append(time.perf_counter() - t)
            log(f"  inference round {r + 1}/{rounds} {k:13s} {len(texts) / res[k][-1]:7.0f} texts/s")
    agree = sum(a == b for a, b in zip(labels["predict_texts"], labels["pipeline"])) / len(texts)
    return dict(seconds=res, n_texts=len(texts), agree=agree)
