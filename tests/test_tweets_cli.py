"`hugtweets dataset`: the CLI contract on archives and files, every bad input, and the offline W&B run."
import json, random, zipfile
from pathlib import Path

import pytest
from conftest import assert_one_line_error
from hugtweets.core import files_containing
from hugtweets.tweet_sources import write_test_archive

WORDS = ("the model learns a voice from text so we clean posts and keep words people write every day with care "
         "small data big ideas coffee morning train valid loss goes down slowly but surely").split()


def archive_tweets(n, seed=0, prefix=""):
    "`n` archive tweet dicts: mostly plain posts, plus retweets, boring ones and replies, like a real export."
    rng = random.Random(seed)
    out = []
    for i in range(n):
        text = f"{prefix}{' '.join(rng.choices(WORDS, k=24))} &amp; more https://t.co/{i:06d}"
        t = {"id_str": str(10_000 + i), "full_text": text, "created_at": "Wed Oct 10 20:19:24 +0000 2018", "retweeted": False,
             "entities": {"user_mentions": [], "urls": [], "hashtags": []}}
        if i % 10 == 1: t["full_text"] = f"RT @someone: {text}"
        if i % 10 == 2: t["full_text"] = f"@bo #tbt https://t.co/{i}"
        if i % 10 == 3:
            t["full_text"] = f"@bo {text} thanks to @bo"  # the opening mention goes, the inner one is named
            t["in_reply_to_status_id_str"] = "1"
            t["entities"]["user_mentions"] = [{"screen_name": "bo", "name": "Bo #music 🎸 Diddley"}]
        out.append(t)
    return out


@pytest.fixture
def archive(tmp_path):
    return write_test_archive(tmp_path/"ada.zip", archive_tweets(120), parts=2)


def read_jsonl(path): return [json.loads(l) for l in Path(path).read_text().splitlines()]


def test_archive_to_dataset(run_cli, tmp_path, archive):
    proc = run_cli("dataset", archive, "--out", "ds")
    assert proc.returncode == 0, proc.stderr
    out = tmp_path/"ds"
    assert sorted(p.name for p in out.iterdir()) == [".hugtweets-output", "stats.json", "train.jsonl", "valid.jsonl"]
    stats = json.loads((out/"stats.json").read_text())
    assert stats == {"sources": {"ada": {"downloaded": 120, "retweets": 12, "replies": 0, "edits": 0, "truncated": 0, "short": 12,
                                         "empty": 0, "duplicates": 0, "kept": 96}}, "info": {"ada": {"notes": 0}}, "seed": 42,
                     "chars": stats["chars"]}
    train, valid = read_jsonl(out/"train.jsonl"), read_jsonl(out/"valid.jsonl")
    assert (len(train), len(valid)) == (86, 10)
    assert all(set(r) == {"text", "handle"} and r["handle"] == "ada" for r in train + valid)
    assert not {r["text"] for r in train} & {r["text"] for r in valid}
    assert stats["chars"] == sum(len(r["text"]) for r in train + valid)
    texts = " ".join(r["text"] for r in train + valid)
    assert "http" not in texts and "&amp;" not in texts and "RT @" not in texts and "@bo" not in texts
    assert "Bo Diddley" in texts  # the mention became the cleaned display name
    assert "ada" in proc.stdout and "downloaded" in proc.stdout and "96" in proc.stdout  # the stats table


def test_same_seed_same_dataset_and_force(run_cli, tmp_path, archive):
    assert run_cli("dataset", archive, "--out", "a", "--seed", "3").returncode == 0
    assert run_cli("dataset", archive, "--out", "b", "--seed", "3").returncode == 0
    assert (tmp_path/"a/train.jsonl").read_text() == (tmp_path/"b/train.jsonl").read_text()
    proc = run_cli("dataset", archive, "--out", "a", "--seed", "4", "--valid-pct", "0.2", "--force")
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path/"a/stats.json").read_text())["seed"] == 4
    assert len(read_jsonl(tmp_path/"a/valid.jsonl")) == 19


def test_no_replies_and_keep_newlines(run_cli, tmp_path):
    tweets = archive_tweets(100)
    tweets[0]["full_text"] = "first line of a post\nsecond line of the same post"
    zpath = write_test_archive(tmp_path/"ada.zip", tweets)
    assert run_cli("dataset", zpath, "--out", "nl", "--keep-newlines", "--no-replies").returncode == 0
    rows = read_jsonl(tmp_path/"nl/train.jsonl") + read_jsonl(tmp_path/"nl/valid.jsonl")
    assert "first line of a post\nsecond line of the same post" in [r["text"] for r in rows]
    assert json.loads((tmp_path/"nl/stats.json").read_text())["sources"]["ada"]["kept"] == 70  # 10 replies left out
    assert not any("Bo Diddley" in r["text"] for r in rows)


def test_two_people_make_a_balanced_cyborg(run_cli, tmp_path, archive):
    bo = write_test_archive(tmp_path/"bo.zip", archive_tweets(200, seed=1, prefix="bo says "), username="bo", display_name="Bo")
    proc = run_cli("dataset", archive, bo, "--out", "cyborg")
    assert proc.returncode == 0, proc.stderr
    train, valid = read_jsonl(tmp_path/"cyborg/train.jsonl"), read_jsonl(tmp_path/"cyborg/valid.jsonl")
    counts = {h: sum(r["handle"] == h for r in train) for h in ("ada", "bo")}
    assert counts["ada"] == counts["bo"] == 144  # ada's 86 train posts oversampled to bo's 144
    assert {r["handle"] for r in valid} == {"ada", "bo"} and len(valid) == 10 + 16
    assert not {r["text"] for r in train} & {r["text"] for r in valid}


def test_unzipped_folder_and_tweets_js(run_cli, tmp_path, archive):
    with zipfile.ZipFile(archive) as zf: zf.extractall(tmp_path/"unzipped")
    a = run_cli("dataset", tmp_path/"unzipped", "--out", "a")
    b = run_cli("dataset", tmp_path/"unzipped/ada-archive/data/tweets.js", "--out", "b")
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    assert json.loads((tmp_path/"a/stats.json").read_text())["sources"]["ada"]["downloaded"] == 120
    assert json.loads((tmp_path/"b/stats.json").read_text())["sources"]["ada"]["downloaded"] == 60  # only part 0


def test_jsonl_and_csv_sources(run_cli, tmp_path):
    rows = [{"body": t["full_text"], "handle": "cy"} for t in archive_tweets(100, seed=2)]
    (tmp_path/"posts.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    proc = run_cli("dataset", "posts.jsonl", "--out", "j", "--text-col", "body")
    assert proc.returncode == 0, proc.stderr
    assert list(json.loads((tmp_path/"j/stats.json").read_text())["sources"]) == ["cy"]
    (tmp_path/"dee.csv").write_text("text\n" + "".join(f'"{r["body"]}"\n' for r in rows))
    assert run_cli("dataset", "dee.csv", "--out", "c").returncode == 0
    assert list(json.loads((tmp_path/"c/stats.json").read_text())["sources"]) == ["dee"]  # the file name stands in


def test_dataset_loads_as_datasets(run_cli, tmp_path, archive):
    from datasets import load_dataset
    assert run_cli("dataset", archive, "--out", "ds").returncode == 0
    ds = load_dataset("json", data_files={"train": str(tmp_path/"ds/train.jsonl"), "valid": str(tmp_path/"ds/valid.jsonl")},
                      cache_dir=str(tmp_path/"hf"))
    assert ds["train"].column_names == ["text", "handle"] and ds["valid"].num_rows == 10


def test_sample_archives(run_cli, tmp_path):
    from hugtweets.samples import sample_archives
    archives = sample_archives()
    proc = run_cli("dataset", *archives, "--out", "samples")
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads((tmp_path/"samples/stats.json").read_text())["sources"]) == len(archives)


# ---------------------------------------------------------------- bad input: one line, exit 1, nothing written
def make_bad(tmp_path, kind):
    "Write the bad input `kind` under `tmp_path`; return the SOURCE string."
    good = write_test_archive(tmp_path/"good.zip", archive_tweets(120))
    if kind == "truncated zip":
        (tmp_path/"cut.zip").write_bytes(good.read_bytes()[:len(good.read_bytes()) // 2]); return "cut.zip"
    if kind == "garbage zip":
        (tmp_path/"junk.zip").write_bytes(b"this is not a zip file at all " * 20); return "junk.zip"
    if kind == "wrong prefix":
        (tmp_path/"tweets.js").write_text('var tweets = [{"tweet": {"full_text": "hi"}}]'); return "tweets.js"
    if kind == "truncated tweets.js":
        with zipfile.ZipFile(good) as zf: text = zf.read("ada-archive/data/tweets.js").decode()
        (tmp_path/"tweets.js").write_text(text[:len(text) // 2]); return "tweets.js"
    if kind == "empty archive":
        with zipfile.ZipFile(tmp_path/"empty.zip", "w") as zf: zf.writestr("data/account.js", "window.YTD.account.part0 = []")
        return "empty.zip"
    if kind == "archive without posts":
        write_test_archive(tmp_path/"none.zip", []); return "none.zip"
    if kind == "too little text":
        write_test_archive(tmp_path/"few.zip", archive_tweets(20)); return "few.zip"
    if kind == "bad account.js":
        write_test_archive(tmp_path/"five.zip", archive_tweets(120), account_js='window.YTD.account.part0 = [{"account": {"username": 5}}]')
        return "five.zip"
    if kind == "missing csv column":
        (tmp_path/"p.csv").write_text("body\nsome words here\n"); return "p.csv"
    return kind


BAD = [
    ("truncated zip", ["cut.zip", "not a readable zip archive", "download the archive again"]),
    ("garbage zip", ["junk.zip", "not a readable zip archive"]),
    ("wrong prefix", ["tweets.js does not start with 'window.YTD."]),
    ("truncated tweets.js", ["tweets.js is not valid archive JSON", "download the archive again"]),
    ("empty archive", ["holds no data/tweets.js"]),
    ("archive without posts", ["holds no posts"]),
    ("too little text", ["ada has only", "at least 6,000 needed", "--min-chars N"]),
    ("missing csv column", ["p.csv has no 'text' column", "--text-col"]),
    ("bad account.js", ["account.js holds no valid username", "download the archive again"]),
    ("x:../../..", ["is not a valid account name"]),
    ("ftp:someone", ["unknown source scheme 'ftp'"]),
    ("missing.zip", ["missing.zip does not exist"]),
    ("mastodon:nobody", ["not mastodon:USER@INSTANCE"]),
    ("x:jack", ["set the X_BEARER_TOKEN environment variable"]),
]


@pytest.mark.parametrize("kind,fragments", BAD, ids=[k for k, f in BAD])
def test_bad_input(run_cli, tmp_path, kind, fragments):
    source = make_bad(tmp_path, kind)
    before = sorted(p.name for p in tmp_path.iterdir())
    proc = run_cli("dataset", source, "--out", "ds", env={"X_BEARER_TOKEN": ""})
    assert proc.returncode == 1
    assert_one_line_error(proc, *fragments)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no ds, no temporary folder left behind


def test_unsupported_file_type(run_cli, tmp_path):
    (tmp_path/"notes.txt").write_text("hello")
    proc = run_cli("dataset", "notes.txt", "--out", "ds")
    assert_one_line_error(proc, "unsupported file type .txt")
    assert not (tmp_path/"ds").exists()


@pytest.mark.parametrize("args,fragment", [(["--valid-pct", "1.5"], "--valid-pct must be in [0, 1)"),
                                           (["--limit", "0"], "--limit must be a positive")])
def test_bad_options(run_cli, tmp_path, archive, args, fragment):
    proc = run_cli("dataset", archive, "--out", "ds", *args)
    assert_one_line_error(proc, fragment)
    assert not (tmp_path/"ds").exists()


def test_existing_out_is_refused(run_cli, tmp_path, archive):
    (tmp_path/"ds").mkdir()
    (tmp_path/"ds"/"mine.txt").write_text("keep me")
    proc = run_cli("dataset", archive, "--out", "ds")
    assert_one_line_error(proc, "already exists", "--force")
    assert [p.name for p in (tmp_path/"ds").iterdir()] == ["mine.txt"]


def test_one_bad_source_among_good_ones_writes_nothing(run_cli, tmp_path, archive):
    proc = run_cli("dataset", archive, "missing.zip", "--out", "ds")
    assert_one_line_error(proc, "missing.zip does not exist")
    assert not (tmp_path/"ds").exists()


# ---------------------------------------------------------------- W&B offline
def test_wandb_offline_lineage_and_no_secrets(run_cli, tmp_path, archive, fake_secrets):
    proc = run_cli("dataset", archive, "--out", "ds", "--wandb", env={"WANDB_DIR": tmp_path/"wb"})
    assert proc.returncode == 0, proc.stderr
    runs = list((tmp_path/"wb").rglob("offline-run-*"))
    assert len(runs) == 1
    # offline, W&B keeps the run config inside the run's .wandb log: the artifact names are recorded there
    log = next(runs[0].glob("run-*.wandb")).read_bytes()
    assert b"logs_raw_data" in log and b"raw-dataset" in log and b"logs_dataset" in log and b"train-dataset" in log
    assert files_containing(tmp_path, fake_secrets.values()) == []
    assert not any(v in proc.stdout + proc.stderr for v in fake_secrets.values())


def test_min_chars_lowers_the_floor_with_a_warning(run_cli, tmp_path):
    write_test_archive(tmp_path/"few.zip", archive_tweets(20))
    proc = run_cli("dataset", "few.zip", "--out", "ds", "--min-chars", "1000")
    assert proc.returncode == 0, proc.stderr
    assert "--min-chars 1,000 is under 6,000" in proc.stderr and proc.stdout.index("downloaded") < proc.stdout.index("characters kept")
    stats = json.loads((tmp_path/"ds/stats.json").read_text())
    s = stats["sources"]["ada"]
    assert s["downloaded"] == sum(v for k, v in s.items() if k != "downloaded") == 20
