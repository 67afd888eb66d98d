"""Run in the bench's separate environment (never the project's): transformers-interpret's
`SequenceClassificationExplainer`, one text at a time, as its README shows. Timed per call after one warm-up.

    TI_VENV/bin/python bench/ti_explain.py MODEL_DIR texts.json out.json [--n-steps 50] [--captum]

With --captum (or when transformers-interpret cannot be imported), captum's `LayerIntegratedGradients` is called
one text at a time the way transformers-interpret calls it (word embeddings, pad baseline with the special tokens
kept, softmax probability of the predicted label, all steps in one pass)."""
import argparse, json, sys, time
import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer


def ti_scores(model, tok, texts, n_steps):
    from transformers_interpret import SequenceClassificationExplainer
    explainer = SequenceClassificationExplainer(model, tok)
    out = []
    for t in texts:
        attrs = explainer(t, n_steps=n_steps)
        out.append([float(s) for _, s in attrs][1:-1])  # without [CLS] and [SEP], as hugtweets' pieces
    return out


def captum_scores(model, tok, texts, n_steps):
    from captum.attr import LayerIntegratedGradients
    out = []
    for t in texts:
        ids = tok(t, return_tensors="pt")["input_ids"]
        ref = torch.full_like(ids, tok.pad_token_id); ref[0, 0], ref[0, -1] = ids[0, 0], ids[0, -1]
        with torch.no_grad(): target = int(model(ids).logits.argmax(-1))
        fwd = lambda i: model(i).logits.softmax(-1)[:, target]
        lig = LayerIntegratedGradients(fwd, model.get_input_embeddings())
        a = lig.attribute(ids, baselines=ref, n_steps=n_steps).sum(-1)[0]
        out.append((a / a.norm()).tolist()[1:-1])
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model"); p.add_argument("texts"); p.add_argument("out")
    p.add_argument("--n-steps", type=int, default=50); p.add_argument("--captum", action="store_true")
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    texts = json.load(open(a.texts))
    model, tok = AutoModelForSequenceClassification.from_pretrained(a.model).eval(), AutoTokenizer.from_pretrained(a.model)
    way, why = "transformers-interpret", None
    if not a.captum:
        try: import transformers_interpret  # noqa: F401
        except Exception as e: way, why = "captum", f"{type(e).__name__}: {e}"
    else: way = "captum"
    f = ti_scores if way == "transformers-interpret" else captum_scores
    f(model, tok, texts[:1], a.n_steps)  # warm-up
    t = time.perf_counter()
    scores = f(model, tok, texts, a.n_steps)
    sec = time.perf_counter() - t
    json.dump(dict(way=way, why=why, seconds=sec, scores=scores), open(a.out, "w"))


if __name__ == "__main__":
    main()
