"The BanFakeNews loader on files written like the Kaggle release, its quirks included, and on the bundled sample."
import csv
import pytest
from hugtweets.core import HugtweetsError
from hugtweets.datasets import load_banfakenews
from hugtweets.datasets.banfakenews import subsample, HEADLINE_SEP
from hugtweets.samples import sample_banfakenews

COLS = ["articleID", "domain", "date", "category", "headline", "content", "label"]
EXTRA = {"LabeledAuthentic-7K.csv": ["source", "relation"], "LabeledFake-1K.csv": ["source", "relation", "F-type"]}

def write(folder, name, rows):
    "Write `rows` (dicts of headline/content/label/category) as a BanFakeNews CSV, quoting only where needed, as the release does."
    cols = COLS + EXTRA.get(name, [])
    with open(folder/name, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, cols, extrasaction="ignore")
        w.writeheader()
        for i, r in enumerate(rows):
            w.writerow({"articleID": i + 1, "domain": r.get("domain", "news.example"), "date": "2018-09-19 17:48:18",
                        "category": r.get("category", "National"), "source": "Staff", "relation": "Related", "F-type": "Fake", **r})

@pytest.fixture
def release(tmp_path):
    write(tmp_path, "Authentic-48K.csv", [
        dict(headline='মন্ত্রী বললেন, "বাজেট ভালো"', content="প্রথম অনুচ্ছেদ, কমা সহ।\n\nদ্বিতীয় অনুচ্ছেদ।", label=1),
        dict(headline="", content="শিরোনামহীন খবর", label=1, category="Sports"),
        dict(headline="শুধু শিরোনাম", content="", label=1),
        dict(headline="", content="", label=1)])
    write(tmp_path, "Fake-1K.csv", [dict(headline="ভাইরাল!", content="শেয়ার করুন!!", label=0, domain="hot.example")])
    write(tmp_path, "LabeledAuthentic-7K.csv", [dict(headline="সত্য", content="খবর এক", label=1),
                                                dict(headline="সত্য দুই", content="খবর দুই", label=0)])
    write(tmp_path, "LabeledFake-1K.csv", [dict(headline="গুজব", content="মিথ্যা খবর", label=0)])
    return tmp_path

def test_columns_and_labels_by_file(release):
    df = load_banfakenews(release)
    assert list(df.columns) == ["text", "label", "category", "domain"]
    assert list(df.label) == ["authentic", "authentic", "authentic", "fake"]   # the empty row is dropped
    assert list(df.category) == ["National", "Sports", "National", "National"]
    assert df.domain.iloc[-1] == "hot.example"

def test_authentic_rows_with_label_0_stay_authentic(release):
    df = load_banfakenews(release, subset="labeled")
    assert list(df.label) == ["authentic", "authentic", "fake"]
    assert df.text[1] == f"সত্য দুই{HEADLINE_SEP}খবর দুই"

def test_text_joins_headline_and_content_without_nan(release):
    text = load_banfakenews(release).text
    assert text[0] == f'মন্ত্রী বললেন, "বাজেট ভালো"{HEADLINE_SEP}প্রথম অনুচ্ছেদ, কমা সহ।\n\nদ্বিতীয় অনুচ্ছেদ।'
    assert text[1] == "শিরোনামহীন খবর" and text[2] == "শুধু শিরোনাম"
    assert not text.str.contains("nan").any()

def test_files_one_folder_down(release):
    "A download may put the files one folder further down."
    (release/"versions"/"1").mkdir(parents=True)
    for f in release.glob("*.csv"): f.rename(release/"versions"/"1"/f.name)
    assert len(load_banfakenews(release)) == 4

@pytest.mark.parametrize("subset,missing", [("all", "Fake-1K.csv"), ("labeled", "LabeledAuthentic-7K.csv")])
def test_missing_file_is_one_clear_line(release, subset, missing):
    (release/missing).unlink()
    with pytest.raises(HugtweetsError) as e: load_banfakenews(release, subset)
    msg = str(e.value)
    assert missing in msg and "cryptexcode/banfakenews" in msg and "\n" not in msg

def test_bad_subset_and_wrong_file(release):
    with pytest.raises(HugtweetsError, match="'all' or 'labeled'"): load_banfakenews(release, "train")
    (release/"Fake-1K.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(HugtweetsError, match="Fake-1K.csv has no column"): load_banfakenews(release)

def test_bundled_sample():
    df = load_banfakenews(sample_banfakenews())
    counts = df.label.value_counts()
    assert counts["authentic"] > 5 * counts["fake"] > 0
    assert df.category.nunique() >= 10 and df.text.str.len().min() > 0
    labeled = load_banfakenews(sample_banfakenews(), "labeled")
    assert set(labeled.label) == {"authentic", "fake"}

def test_subsample_keeps_all_fake():
    df = load_banfakenews(sample_banfakenews())
    small = subsample(df, n_authentic=50, seed=1)
    assert (small.label == "authentic").sum() == 50 and (small.label == "fake").sum() == (df.label == "fake").sum()
    assert small.equals(subsample(df, n_authentic=50, seed=1))

def test_sample_headlines_carry_planted_kickers():
    "Lesson 10 checks its explanations against these words: every sample headline opens with three of its class's own."
    fake_words = {"ব্রেকিং", "ভাইরাল", "নিউজ", "অবিশ্বাস্য", "চাঞ্চল্যকর"}
    auth_words = {"নিজস্ব", "প্রতিবেদক", "প্রতিনিধি", "জেলা", "সরকারি", "বিজ্ঞপ্তি", "আনুষ্ঠানিক"}
    df = load_banfakenews(sample_banfakenews())
    kicker = df.text.str.split(":").str[0].str.split()
    has_headline = df.text.str.contains(":")
    for label, own, other in [("fake", fake_words, auth_words), ("authentic", auth_words, fake_words)]:
        rows = kicker[(df.label == label) & has_headline]
        assert len(rows) >= 0.95 * (df.label == label).sum()
        assert all(len(k) == 3 and set(k) <= own for k in rows), label
        assert not any(set(k) & other for k in rows)
