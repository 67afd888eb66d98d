"""Generation: n samples from one batched `generate` call against n calls of one sample each, same model, same
sampling settings (those `hugtweets train` stores), the same number of new tokens (`min_new_tokens` = `max_new_tokens`,
so no sample stops early); also the library's own path, `hugtweets.generate.sample_tweets` (one pipeline call)."""
from __future__ import annotations
import time
import torch


def generation_benchmark(path, n, new_tokens, rounds, log=print) -> dict:
    "Seconds and tokens of the batched call, the loop and `sample_tweets`, interleaved rounds."
    from hugtweets.generate import GENERATION, sample_tweets
    from hugtweets.hf import load_model
    model, tok = load_model(str(path), "causal-lm")
    model.eval()
    kw = dict(GENERATION, max_new_tokens=new_tokens, min_new_tokens=new_tokens, pad_token_id=tok.pad_token_id or tok.eos_token_id)
    ids = tok(tok.eos_token, return_tensors="pt").input_ids
    def batched():
        with torch.no_grad(): return model.generate(ids, num_return_sequences=n, **kw).shape[1] - ids.shape[1]
    def loop():
        with torch.no_grad(): return sum(model.generate(ids, **kw).shape[1] - ids.shape[1] for _ in range(n)) // n
    def library():
        model.generation_config.update(**kw)
        sample_tweets(model, tok, n=n, seed=0)
        return new_tokens
    runs = dict(batched=batched, loop=loop, sample_tweets=library)
    batched()  # warm-up
    res = {k: [] for k in runs}
    for r in range(rounds):
        for k in list(runs)[r % 3:] + list(runs)[:r % 3]:
            t = time.perf_counter(); new = runs[k](); sec = time.perf_counter() - t
            res[k].append(dict(seconds=sec, tokens=n * new))
            log(f"  generation round {r + 1}/{rounds} {k:13s} {sec:6.2f} s  {n * new / sec:7.0f} tokens/s")
    return res
