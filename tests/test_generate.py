"Tweet generation: packing, saved generation settings, the model card and its secrets, W&B offline, and the CLI."
import json, random, re, sys, time, unicodedata
from pathlib import Path
from types import SimpleNamespace
import pytest
from conftest import assert_one_line_error

OFFLINE = {"HUGTWEETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "WANDB_MODE": "offline",
           "WANDB_SILENT": "true", "TOKENIZERS_PARALLELISM": "false", "OMP_NUM_THREADS": "1"}

@pytest.fixture(autouse=True)
def offline(monkeypatch):
    for k, v in OFFLINE.items(): monkeypatch.setenv(k, v)

def write_dataset(path, n=40, seed=0, handles=("ada", "grace", "alan")):
    "A `hugtweets dataset`-format folder with `n` invented tweets per handle."
    rnd, path = random.Random(seed), Path(path)
    words = "engine loom cards poetry compiler bug navy moth machine tea marathon 🙂 café numbers".split()
    rows = [{"text": " ".join(rnd.choice(words) for _ in range(rnd.randint(3, 15))), "handle": h} for h in handles for _ in range(n)]
    rnd.shuffle(rows)
    path.mkdir(parents=True)
    cut = max(1, len(rows) // 10)
    for split, part in (("valid", rows[:cut]), ("train", rows[cut:])):
        (path/f"{split}.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in part), encoding="utf-8")
    stats = {"sources": {h: {"downloaded": n + 9, "retweets": 6, "short": 3, "kept": n} for h in handles}, "seed": seed, "chars": 0}
    (path/"stats.json").write_text(json.dumps(stats))
    return path

@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return write_dataset(tmp_path_factory.mktemp("data")/"dataset")

@pytest.fixture(scope="module")
def base(data_dir):
    from hugtweets.generate import load_tweets
    from hugtweets.tiny import tiny_gpt2
    return tiny_gpt2(list(load_tweets(data_dir)["train"]["text"]))

@pytest.fixture(scope="module")
def trained(data_dir, base, tmp_path_factory):
    "A model folder trained by `train` (2 epochs), shared by the tests that only read it."
    from hugtweets.generate import train
    with pytest.MonkeyPatch.context() as mp:
        for k, v in OFFLINE.items(): mp.setenv(k, v)
        return train(data_dir, base, tmp_path_factory.mktemp("trained")/"model", epochs=2, lr=3e-3)

def cli(*args):
    "Run `hugtweets ARGS` in this process (same parser and error handler as the console script)."
    from hugtweets.cli import main
    import contextlib, io
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try: rc = main([str(a) for a in args])
        except SystemExit as e: rc = e.code
    return SimpleNamespace(returncode=rc, stdout=out.getvalue(), stderr=err.getvalue())

# --- packing ---

@pytest.mark.parametrize("n", [5, 40, 300])
def test_packing_keeps_every_tweet_between_eos(tmp_path, n, base):
    from hugtweets.generate import load_tweets, pack, packing_stats, tokenize_tweets, block_size_for
    from hugtweets.hf import load_model
    data = load_tweets(write_dataset(tmp_path/"d", n=n, seed=n))
    _, tok = load_model(base, "causal-lm")
    tokenized = tokenize_tweets(data["train"], tok)
    block = block_size_for(sum(map(len, tokenized["input_ids"])) + 1, 128)
    packed = pack(tokenized, block, tok.eos_token_id, tok.pad_token_id)
    assert len(packed) >= 8 and block <= 128
    assert all(len(b) == block for b in packed["input_ids"])
    stream = [i for b in packed for i, m in zip(b["input_ids"], b["attention_mask"]) if m]
    assert stream[0] == tok.eos_token_id and stream[-1] == tok.eos_token_id
    assert tok.decode(stream).split(tok.eos_token)[1:-1] == list(data["train"]["text"])   # none lost, eos between each
    for b in packed: assert b["labels"] == [i if m else -100 for i, m in zip(b["input_ids"], b["attention_mask"])]
    stats = packing_stats(tokenized, packed)
    assert stats["kept"] == 1.0
    if n >= 40: assert stats["token_use"] >= 0.99, stats

def test_block_size_is_capped_by_context_and_data():
    from hugtweets.generate import block_size_for
    assert block_size_for(10**7, 1024) == 1024
    for n in (1_000, 5_000, 20_000, 99_999, 1_234_567):
        b = block_size_for(n, 1024)
        blocks = -(-n // b)                      # the last block is padded, not dropped
        assert blocks >= 8 and b <= 1024, (n, b)
        assert n / (blocks * b) >= 0.99, (n, b)  # evened out: the padding is under one token per block

def test_per_handle_validation_sets(data_dir, base):
    from hugtweets.generate import load_tweets, pack_tweets
    from hugtweets.hf import load_model
    data = load_tweets(data_dir)
    _, tok = load_model(base, "causal-lm")
    _, valid, _ = pack_tweets(data, tok, 128)
    assert set(valid) == {"valid"} | {f"@{h}" for h in set(data["valid"]["handle"])}

# --- the saved model ---

def test_saved_folder_and_generation_config(trained):
    from transformers import GenerationConfig
    for f in ("config.json", "model.safetensors", "tokenizer.json", "generation_config.json", "README.md", "trainer_state.json"):
        assert (trained/f).is_file(), f
    gc = GenerationConfig.from_pretrained(trained)
    assert (gc.do_sample, gc.top_p, gc.temperature, gc.top_k) == (True, 0.95, 1.0, 0)
    assert 8 <= gc.max_new_tokens <= 127 and gc.eos_token_id == 0

def test_pipeline_reproduces_generate(trained):
    from transformers import GenerationConfig, pipeline, set_seed
    from hugtweets.generate import generate
    ours = generate(trained, "engine", n=4, seed=3)
    set_seed(3)
    theirs = pipeline("text-generation", model=str(trained))("<|endoftext|>engine", num_return_sequences=4,
                                                             generation_config=GenerationConfig.from_pretrained(trained))
    printable = lambda t: "".join(c for c in t if c in "\n\t" or unicodedata.category(c) != "Cc")   # generate drops control bytes
    assert [printable(o["generated_text"].removeprefix("<|endoftext|>")) for o in theirs] == ours
    assert all(t.startswith("engine") and "<|endoftext|>" not in t for t in ours)
    assert generate(trained, "engine", n=4, seed=3) == ours and generate(trained, "engine", n=4, seed=4) != ours

def test_sampling_follows_the_models_generation_config(trained):
    "The pipeline of transformers 5.15 (Colab's) put its defaults (256 new tokens, temperature 0.7) before the model's own."
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from hugtweets.generate import sample_tweets
    model, tok = AutoModelForCausalLM.from_pretrained(trained), AutoTokenizer.from_pretrained(trained)
    used, prepare = [], model._prepare_generation_config
    def spy(*args, **kwargs):
        config, rest = prepare(*args, **kwargs)
        used.append((config.do_sample, config.temperature, config.top_p, config.top_k, config.max_new_tokens))
        return config, rest
    model._prepare_generation_config = spy
    sample_tweets(model, tok, "engine", n=2, seed=0)
    g = model.generation_config
    assert used[-1] == (True, 1.0, 0.95, 0, g.max_new_tokens) and g.max_new_tokens < 128

def test_per_epoch_validation_with_perplexity(trained):
    from hugtweets.generate import eval_history, handle_losses
    log = json.loads((trained/"trainer_state.json").read_text())["log_history"]
    ev = eval_history(log)
    assert sorted(ev[ev.name == "valid"].epoch.round()) == [1, 2]
    assert any("eval_valid_perplexity" in e for e in log)
    assert sorted(handle_losses(log).handle) == ["@ada", "@alan", "@grace"]

def test_model_card_content(trained):
    card = (trained/"README.md").read_text()
    for part in ("pipeline_tag: text-generation", "synthetic", "must not be presented as their words",
                 "| @ada | 49 | 6 | 3 | 40 |", "| learning rate | 0.003 |", "| schedule | cosine, no warm-up |",
                 "| eval loss |", "| perplexity |", "## Samples", 'pipeline("text-generation"', "| @grace |"):
        assert part in card, part

# --- W&B, the Hub and secrets ---

def test_wandb_offline_and_push_keep_secrets(data_dir, base, tmp_path, monkeypatch, fake_secrets, capfd):
    from huggingface_hub import HfApi
    from hugtweets.core import files_containing
    from hugtweets.generate import train
    calls = []
    monkeypatch.setattr(HfApi, "create_repo", lambda self, repo_id, **kw: calls.append(("create", repo_id, self.token)))
    monkeypatch.setattr(HfApi, "upload_folder", lambda self, folder_path, repo_id, **kw:
                        calls.append(("upload", repo_id, self.token, sorted(p.name for p in Path(folder_path).iterdir()))))
    monkeypatch.setenv("WANDB_DIR", str(tmp_path/"wb"))
    (tmp_path/"wb").mkdir()
    out = train(data_dir, base, tmp_path/"model", epochs=1, lr=3e-3, use_wandb=True, push_to_hub="me/ada-tweets")
    assert calls[0] == ("create", "me/ada-tweets", fake_secrets["HF_TOKEN"])
    assert calls[1][:3] == ("upload", "me/ada-tweets", fake_secrets["HF_TOKEN"]) and "README.md" in calls[1][3]
    runs = list((tmp_path/"wb"/"wandb").glob("offline-run-*"))
    assert len(runs) == 1 and list(runs[0].glob("run-*.wandb"))
    record_file = next(runs[0].glob("run-*.wandb"))               # offline, the config lives in the run's record file
    for _ in range(60):                                          # which W&B's service may still be flushing
        record = record_file.read_bytes()
        if b"finetuned-model" in record: break
        time.sleep(0.5)
    assert b"train-dataset" in record and b"finetuned-model" in record and b"learning_rate" in record
    tables = list((runs[0]/"files"/"media"/"table").glob("samples_*.table.json"))
    assert len(tables) == 1
    table = json.loads(tables[0].read_text())                   # the samples table as W&B stores it, read back
    assert table["columns"] == ["prompt", "tweet"] and len(table["data"]) == 5
    from hugtweets.generate import SAMPLE_PROMPTS
    assert [p for p, _ in table["data"]] == ["<|endoftext|>" + p for p in SAMPLE_PROMPTS]   # the prompt column is filled
    assert all(t.startswith(p.removeprefix("<|endoftext|>")) for p, t in table["data"])
    assert "me/ada-tweets" in (out/"README.md").read_text()
    logs = capfd.readouterr()
    secrets = list(fake_secrets.values())
    assert files_containing(out, secrets) == [] and files_containing(tmp_path/"wb", secrets) == []
    assert not any(s in logs.out + logs.err for s in secrets)

def test_push_without_token_fails_before_training(data_dir, base, tmp_path, monkeypatch):
    monkeypatch.delenv("HF_TOKEN", raising=False)
    proc = cli("train", data_dir, "--model", base, "--out", tmp_path/"m", "--push-to-hub", "me/tweets")
    assert_one_line_error(proc, "HF_TOKEN")
    assert not (tmp_path/"m").exists()
    assert_one_line_error(cli("train", data_dir, "--model", base, "--out", tmp_path/"m", "--push-to-hub", "bad id!"), "USER/NAME")

# --- the command line ---

def test_cli_train_then_generate(run_cli, data_dir, base, tmp_path):
    proc = run_cli("train", data_dir, "--model", base, "--out", "model", "--epochs", "1", "--lr", "3e-3", env=dict(OMP_NUM_THREADS=1))
    assert proc.returncode == 0, proc.stderr
    assert "saved model" in proc.stdout and (tmp_path/"model"/"README.md").is_file()
    gen = cli("generate", tmp_path/"model", "engine", "-n", "3", "--seed", "0")
    assert gen.returncode == 0, gen.stderr
    lines = gen.stdout.rstrip("\n").split("\n")
    assert len(lines) == 3 and all(l.startswith("engine") for l in lines)

def test_cli_train_unknown_model_offline(data_dir, tmp_path):
    proc = cli("train", data_dir, "--model", "gpt2", "--out", tmp_path/"model")
    assert_one_line_error(proc, "unknown model 'gpt2'", "offline")
    assert not (tmp_path/"model").exists() and not list(tmp_path.glob(".model*"))

@pytest.mark.parametrize("problem", ["bert", "missing", "empty", "no-train"])  # --epochs 0: argparse, tests/test_exit_codes.py
def test_cli_train_bad_inputs_write_nothing(problem, data_dir, base, tmp_path):
    from hugtweets.tiny import tiny_bert
    (tmp_path/"empty").mkdir()
    (tmp_path/"empty"/"train.jsonl").write_text("")
    (tmp_path/"no-train").mkdir()
    dataset, model, extra, expect = data_dir, base, [], None
    if problem == "bert": model, expect = tiny_bert(["a b c", "d e f"] * 10, ["x", "y"]), "not a causal language model"
    if problem == "missing": dataset, expect = tmp_path/"nope", "does not exist"
    if problem == "empty": dataset, expect = tmp_path/"empty", "has no tweets"
    if problem == "no-train": dataset, expect = tmp_path/"no-train", "has no train.jsonl"
    proc = cli("train", dataset, "--model", model, "--out", tmp_path/"out", *extra)
    assert_one_line_error(proc, expect)
    assert not (tmp_path/"out").exists() and not list(tmp_path.glob(".out*"))

def test_cli_generate_bad_inputs(trained, tmp_path):
    assert_one_line_error(cli("generate", tmp_path/"nothing-here", "hi"), "unknown model")
    assert_one_line_error(cli("generate", "gpt2", "hi"), "unknown model 'gpt2'")
    assert_one_line_error(cli("generate", trained, "hi", "-n", "0"), "-n must be at least 1")

def test_cli_existing_out_is_kept(data_dir, base, tmp_path):
    (tmp_path/"out").mkdir()
    (tmp_path/"out"/"mine.txt").write_text("keep")
    assert_one_line_error(cli("train", data_dir, "--model", base, "--out", tmp_path/"out"), "already exists", "--force")
    assert (tmp_path/"out"/"mine.txt").read_text() == "keep"

WORD = r"[^\W\d_]+(?:'[^\W\d_]+)*"   # a run of letters, with inner apostrophes ("don't")

def words(text: str) -> list[str]: return re.findall(WORD, text.lower())

def test_demo(tmp_path):
    pytest.importorskip("hugtweets.tweets")
    out = tmp_path/"demo"
    proc = cli("demo", "--out", out)
    assert proc.returncode == 0, proc.stderr
    printed = (proc.stdout + proc.stderr).splitlines()   # into a file: tqdm draws no bar where the output is not a terminal
    assert len(printed) <= 40, printed
    assert printed.count("     epoch  train loss  valid loss  perplexity        time") == 2 and "{'loss'" not in proc.stdout + proc.stderr
    for f in ("dataset/train.jsonl", "dataset/stats.json", "person/train.jsonl", "base/config.json", "model/README.md",
              "model/generation_config.json", "samples.md"):
        assert (out/f).is_file(), f
    # two stages: the base saw all three people, the model only the demo's person
    assert len(json.loads((out/"dataset"/"stats.json").read_text())["sources"]) == 3
    assert {json.loads(l)["handle"] for l in (out/"person"/"train.jsonl").read_text().splitlines()} == {"mayabakesbread"}
    # the samples are made of real words: at least 90% of their words occur in the training posts
    trained_on = {w for l in (out/"dataset"/"train.jsonl").read_text(encoding="utf-8").splitlines() for w in words(json.loads(l)["text"])}
    samples = [l.split(". ", 1)[1] for l in (out/"samples.md").read_text(encoding="utf-8").splitlines() if re.match(r"\d\. ", l)]
    generated = [w for s in samples for w in words(s)]
    assert len(samples) == 5 and len(generated) >= 20, samples
    real = sum(w in trained_on for w in generated) / len(generated)
    assert real >= 0.9, (real, [w for w in generated if w not in trained_on])
    assert not list(tmp_path.glob(".demo*"))
    samples = (out/"samples.md").read_text()
    assert "synthetic" in samples and "\n1. " in samples and "\n5. " in samples and ".tmp" not in samples
    card = (out/"model"/"README.md").read_text()
    assert 'model="./model"' in card and ".tmp" not in card and str(tmp_path) not in card  # no local path in a card
    from transformers import pipeline, set_seed
    set_seed(0)
    assert len(pipeline("text-generation", model=str(out/"model"))("<|endoftext|>I", num_return_sequences=2)) == 2
    assert_one_line_error(cli("demo", "--out", out), "already exists")

def test_train_without_validation_split(tmp_path, base):
    from hugtweets.generate import train
    data = write_dataset(tmp_path/"d", n=10, handles=("ada",))
    (data/"valid.jsonl").write_text("")
    out = train(data, base, tmp_path/"m", epochs=1, lr=3e-3)
    card = (out/"README.md").read_text()
    assert "| @ada | 19 | 6 | 3 | 10 |" in card and "| eval loss |" not in card and "| train loss |" in card

def test_person_dataset_keeps_one_person(data_dir, tmp_path):
    from hugtweets.core import HugtweetsError
    from hugtweets.generate import load_tweets, person_dataset
    out = person_dataset(data_dir, "@grace", tmp_path/"grace")
    data, full = load_tweets(out), load_tweets(data_dir)
    for split in ("train", "valid"):
        assert set(data[split]["handle"]) == {"grace"}
        assert list(data[split]["text"]) == [r["text"] for r in full[split] if r["handle"] == "grace"]
    assert list(json.loads((out/"stats.json").read_text())["sources"]) == ["grace"]
    with pytest.raises(HugtweetsError, match="no posts by @nobody; its people are @ada, @alan, @grace"):
        person_dataset(data_dir, "nobody", tmp_path/"nobody")
    assert not (tmp_path/"nobody").exists()
