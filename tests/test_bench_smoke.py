"""The benchmarks cannot rot: `python bench/run.py --smoke` runs one tiny iteration of every benchmark.

No timing assertions here (speed is for bench/README.md); only that each benchmark runs, reports every key
with a positive finite value, and measures what it says it measures."""
import json, math, subprocess, sys
import pytest
from conftest import ROOT, cli_env

KEYS = {"epoch_vs_raw", "speedup_vs_trainer_fixed", "epoch_vs_trainer_best", "padding_efficiency", "clm_token_use",
        "tokenize_speedup", "peak_mem_ratio"}


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    "One smoke run: (the process, its last stdout line as JSON, the full measurements from --out)."
    out = tmp_path_factory.mktemp("bench") / "smoke.json"
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--smoke", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, env=cli_env(), timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc, json.loads(proc.stdout.strip().splitlines()[-1]), json.loads(out.read_text())


def test_last_line_has_exactly_the_keys_with_positive_finite_values(smoke):
    _, keys, _ = smoke
    assert set(keys) == KEYS
    for k, v in keys.items(): assert isinstance(v, float) and math.isfinite(v) and v > 0, (k, v)


def test_table_lists_every_configuration(smoke):
    proc, _, _ = smoke
    for name in ("learner", "raw", "trainer_fixed", "trainer_best", "causal-LM token use", "tokenizing", "peak RSS"):
        assert name in proc.stdout


def test_all_four_train_on_the_same_examples(smoke):
    _, _, full = smoke
    runs = full["epochs"]
    assert set(runs) == {"learner", "raw", "trainer_fixed", "trainer_best"}
    samples = {k: {r["samples"] for r in v} for k, v in runs.items()}
    assert len(set.union(*samples.values())) == 1, samples
    learner, raw = runs["learner"][0], runs["raw"][0]  # the raw loop steps on the learner's own batches
    assert abs(learner["real_tokens"] - raw["real_tokens"]) <= 0.02 * raw["real_tokens"]  # fastai drops a shuffled last batch
    assert abs(learner["computed_tokens"] - raw["computed_tokens"]) <= 0.05 * raw["computed_tokens"]


def test_padding_is_measured(smoke):
    _, keys, full = smoke
    cfg, fixed = full["config"], full["epochs"]["trainer_fixed"][0]
    assert fixed["computed_tokens"] == fixed["samples"] * cfg["max_len"]  # fixed padding computes every position
    assert 0 < keys["padding_efficiency"] <= 1
    assert keys["padding_efficiency"] > fixed["real_tokens"] / fixed["computed_tokens"]


def test_packing_uses_more_tokens_than_padding(smoke):
    _, keys, full = smoke
    assert 0 < keys["clm_token_use"] <= 1 and full["clm"]["kept"] == 1.0
    assert keys["clm_token_use"] > full["clm"]["padded"]


def test_memory_steps_on_the_largest_batch(smoke):
    _, _, full = smoke
    cfg, mem = full["config"], full["memory"]
    assert mem["trainer_fixed"]["batch"] == [cfg["bs"], cfg["max_len"]]
    assert mem["learner"]["batch"] == mem["raw"]["batch"]  # the raw loop steps on the learner's first batch
    for m in mem.values(): assert m["peak_rss_mb"] >= m["rss_before_step_mb"] > 0
