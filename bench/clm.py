"""Causal-LM token use: the tweet pipeline's packing (`hugtweets.generate.pack_tweets`) vs padding each tweet
to the longest tweet in its batch. Token use = real tokens / tokens computed (block or batch positions)."""
from __future__ import annotations
import numpy as np
from datasets import Dataset, DatasetDict


def packed_token_use(tweets: list[str], tok, context: int) -> dict:
    "Token use of the tweet pipeline's packing, with its own block size for `context` (as `hugtweets train` does)."
    from hugtweets.generate import pack_tweets, packing_stats, tokenize_tweets
    data = DatasetDict(train=Dataset.from_dict({"text": tweets, "handle": [""] * len(tweets)}),
                       valid=Dataset.from_dict({"text": [], "handle": []}))
    packed, _, block_size = pack_tweets(data, tok, context)
    stats = packing_stats(tokenize_tweets(data["train"], tok), packed)
    return dict(token_use=stats["token_use"], kept=stats["kept"], blocks=stats["blocks"], block_size=block_size)


def padded_token_use(tweets: list[str], tok, bs: int, seed=0) -> float:
    "Token use when each tweet (plus end-of-text) is padded to the longest tweet of its random batch of `bs`."
    lens = np.array([len(x) + 1 for x in tok(tweets, add_special_tokens=False)["input_ids"]])
    lens = lens[np.random.default_rng(seed).permutation(len(lens))]
    batches = [lens[i:i + bs] for i in range(0, len(lens), bs)]
    return float(lens.sum() / sum(b.max() * len(b) for b in batches))
