"""Generated benchmark data: news-like texts for classification and tweet-like texts for causal-LM packing.

News-like means what a news corpus looks like to a tokenizer: many short items (briefs, headlines with a
lead), a long tail of long articles, and a few past the model maximum (they get truncated). Lengths are
lognormal in words; the words follow a Zipf law over a made-up vocabulary, so a small WordPiece vocabulary
splits the rare ones into several pieces as it would real text.
"""
from __future__ import annotations
import numpy as np, pandas as pd

SYLLABLES = [c + v for c in "bcdfghjklmnprstvz" for v in "aeiou"] + ["an", "el", "in", "or", "us", "ra", "te"]
LABELS = ("authentic", "fake")


def vocabulary(n_words=5000, seed=0) -> np.ndarray:
    "A made-up vocabulary of `n_words` distinct words of 1-4 syllables, most frequent first."
    rng = np.random.default_rng(seed)
    words = set()
    while len(words) < n_words:
        k = rng.choice([1, 2, 3, 4], p=[0.2, 0.4, 0.3, 0.1])
        words.add("".join(rng.choice(SYLLABLES, k)))
    return np.array(sorted(words, key=lambda w: (len(w), w)))  # short words are the frequent ones, as in real text


def word_counts(n, median, sigma=1.0, max_words=None, seed=0) -> np.ndarray:
    "`n` lognormal word counts with the given `median`: many short, a long tail (clipped at `max_words`)."
    rng = np.random.default_rng(seed)
    counts = np.maximum(1, np.round(rng.lognormal(np.log(median), sigma, n))).astype(int)
    return np.minimum(counts, max_words) if max_words else counts


def zipf_probs(n_words, shift=2.7) -> np.ndarray:
    "Zipf-Mandelbrot word frequencies over `n_words` ranks, as in natural language."
    p = 1 / (np.arange(n_words) + shift)
    return p / p.sum()


def _sentences(rng, vocab, n_words, probs=None) -> str:
    "A text of `n_words` Zipf-distributed words with a full stop every 8-20 words."
    probs = zipf_probs(len(vocab)) if probs is None else probs
    words = vocab[rng.choice(len(vocab), n_words, p=probs)].tolist()
    out, i = [], 0
    while i < len(words):
        j = i + int(rng.integers(8, 21))
        out.append(" ".join(words[i:j]).capitalize() + ".")
        i = j
    return " ".join(out)


def news_texts(n=2000, max_len=512, seed=0) -> pd.DataFrame:
    """A DataFrame of `n` news-like texts (`text`) with a `label` (authentic/fake, 9:1).

    Word counts are lognormal with a median of `max_len`/20 words (about `max_len`/13 tokens with a small
    WordPiece vocabulary), so the mean text is about a seventh of the maximum and about 1% are truncated."""
    rng, vocab = np.random.default_rng(seed), vocabulary(seed=seed)
    counts = word_counts(n, median=max_len / 16, sigma=1.1, max_words=2 * max_len, seed=seed)
    probs = zipf_probs(len(vocab))
    texts = [_sentences(rng, vocab, c, probs) for c in counts]
    labels = np.where(rng.random(n) < 0.1, LABELS[1], LABELS[0])
    return pd.DataFrame({"text": texts, "label": labels})


def tweet_texts(n=2000, seed=0) -> list[str]:
    "`n` tweet-like texts: 3-50 words (lognormal, median 12), some with a mention or a hashtag."
    rng, vocab = np.random.default_rng(seed + 1), vocabulary(seed=seed)
    counts = word_counts(n, median=12, sigma=0.6, max_words=50, seed=seed + 1)
    out, probs = [], zipf_probs(len(vocab))
    for c in np.maximum(counts, 3):
        t = _sentences(rng, vocab, int(c), probs)
        if rng.random() < 0.2: t = f"@{vocab[rng.integers(50, 500)]} {t}"
        if rng.random() < 0.2: t = f"{t} #{vocab[rng.integers(50, 500)]}"
        out.append(t)
    return out


# The model sizes the benchmark uses: "bench" is the realistic tiny encoder, "smoke" only checks the wiring.
MODEL_SIZES = {"bench": dict(vocab_size=2000, hidden=128, layers=4, heads=2),
               "smoke": dict(vocab_size=300, hidden=32, layers=1, heads=2)}


def classifier_model(df: pd.DataFrame, max_len: int, size="bench"):
    "The tiny BERT classifier folder for `df` (its WordPiece vocabulary trained on the first 1,000 texts; cached)."
    from hugtweets.tiny import tiny_bert
    return tiny_bert(df.text.tolist()[:1000], LABELS, max_len=max_len, **MODEL_SIZES[size])
