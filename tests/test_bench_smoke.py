"""The benchmarks cannot rot: `python bench/run.py --smoke` runs one tiny iteration of every benchmark.

No timing assertions here (speed is for bench/README.md); only that each benchmark runs, reports every key
with a positive finite value, and measures what it says it measures."""
import json, math, subprocess, sys
import pytest
from conftest import ROOT, cli_env

KEYS = {"epoch_vs_raw", "speedup_vs_trainer_fixed", "epoch_vs_trainer_best", "padding_efficiency", "clm_token_use",
        "tokenize_speedup", "peak_mem_ratio",
        # the real-model benchmarks (bench/real.py); smoke runs put a one-layer tiny BERT where the full run has MiniLM,
        # have one tiny GPT-2 (the full run adds the distilgpt2-shaped one) and time only `hugtweets --help` among the imports
        "minilm_epoch_vs_raw", "minilm_epoch_vs_trainer_best", "minilm_fused_adamw_speedup", "e2e_vs_trainer", "lr_find_seconds", "help_seconds",
        "accuracy_default_mean", "accuracy_trainer_mean", "accuracy_trainer_sd", "clm_tiny_vs_raw", "clm_tiny_vs_run_clm",
        "generate_tiny_batched_speedup", "explain_speedup", "explain_min_pearson", "predict_texts_vs_pipeline",
        # the app (bench/app_bench.py): both apps served, a tiny classifier's int8 copy in-process
        "app_first_answer_seconds", "app_classify_median_ms", "app_explain_median_seconds", "app_write_median_seconds",
        "app_four_users_classify_ratio", "int8_speedup", "int8_agreement"}


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
    for k, v in keys.items():
        assert isinstance(v, float) and math.isfinite(v) and (v >= 0 if k == "accuracy_trainer_sd" else v > 0), (k, v)


def test_table_lists_every_configuration(smoke):
    proc, _, _ = smoke
    for name in ("learner", "raw", "trainer_fixed", "trainer_best", "causal-LM token use", "tokenizing", "peak RSS",
                 "real encoder", "end to end", "accuracy parity", "causal-LM training", "generation", "explanations", "inference", "hugtweets app"):
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


def test_end_to_end_times_every_phase_of_the_command(smoke):
    _, _, full = smoke
    e, p = full["real"]["e2e"], full["real"]["parity"]
    assert len(e["command"]) == len(e["trainer"]) == 1
    assert len(p["default_recipe"]) == len(p["trainer"]) == 1 and p["n"] > 0
    run = p["default_recipe"][0]
    for phase in ("load: table, model, tokenizer, token lengths", "lr_find", "fit: train", "fit: validate each epoch", "save model, tokenizer, card"):
        assert run["phases"][phase] > 0, phase
    assert abs(sum(run["phases"].values()) - run["seconds"]) < 1e-6  # "other" is what the named phases leave
    for t in (e["trainer"][0], p["trainer"][0]):
        assert set(t["phases"]) == {"import", "load", "tokenize", "train, evaluate, checkpoints", "save"}


def test_same_work_on_each_side(smoke):
    _, _, full = smoke
    r = full["real"]
    for name, c in r["clm"].items():  # the raw loop steps over the blocks hugtweets packs
        assert c["runs"]["hugtweets"][0]["tokens"] == c["runs"]["raw"][0]["tokens"] > 0, name
    for name, g in r["gen"].items():  # as many new tokens batched as in the loop
        assert g["batched"][0]["tokens"] == g["loop"][0]["tokens"] > 0, name
    assert r["infer"]["agree"] >= 0.99  # the same model labels the texts alike both ways
    m = r["minilm"]
    assert m["learner"][0]["samples"] == m["raw"][0]["samples"] == m["trainer_best"][0]["samples"]


def test_batched_explanations_agree_with_one_at_a_time(smoke):
    _, keys, full = smoke
    x = full["real"]["explain"]
    assert len(x["pearson"]) == x["n_texts"] > 0
    assert keys["explain_min_pearson"] >= 0.99
