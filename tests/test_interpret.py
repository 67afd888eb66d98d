"Word attributions on tiny classifiers, and `hugtweets explain` as a user runs it."
import math
import pytest, torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer
from hugtweets.core import HugtweetsError
from hugtweets.interpret import word_attributions, token_attributions, explain
from hugtweets.hf import context_length
from hugtweets.tiny import tiny_bert, tiny_roberta
from conftest import assert_one_line_error

CORPUS = ["সরকার নতুন বাজেট ঘোষণা করেছে", "ভুয়া খবর ছড়িয়ে পড়েছে 😡 দেখুন", "The minister opened a new bridge",
          "পুলিশ বলেছে খবরটি গুজব", "Fake news spreads fast 🔥🔥"] * 8
TEXTS = {
    "bangla": "সরকার আজ নতুন বাজেট ঘোষণা করেছে, পুলিশ বলেছে খবরটি গুজব।",
    "english": "The minister said the bridge opened today.",
    "emoji": "ভুয়া খবর 😡😡 দেখুন 🔥 now!!",
    "mixed_spaces": "  খবর\u00a0news\t😡  \n দেখুন ",
}

@pytest.fixture(scope="module")
def bert(tmp_path_factory):
    path = tiny_bert(CORPUS, ["authentic", "fake"], path=tmp_path_factory.mktemp("m")/"bert")
    return path, AutoModelForSequenceClassification.from_pretrained(path), AutoTokenizer.from_pretrained(path)

def _check_aligned(words, text):
    assert [w for w, _ in words] == text.split()
    assert all(isinstance(s, float) and math.isfinite(s) for _, s in words)

@pytest.mark.parametrize("name", list(TEXTS))
def test_words_line_up_with_split(bert, name):
    _, model, tok = bert
    text = TEXTS[name]
    words = word_attributions(model, tok, text, n_steps=20)
    _check_aligned(words, text)
    assert any(s != 0 for _, s in words)
    assert math.isclose(sum(s * s for _, s in words), 1.0, rel_tol=1e-4)  # unit length

def test_explained_label_changes_scores(bert):
    _, model, tok = bert
    fake = dict(word_attributions(model, tok, TEXTS["english"], label="fake", n_steps=20))
    authentic = dict(word_attributions(model, tok, TEXTS["english"], label="authentic", n_steps=20))
    assert fake != authentic

def test_byte_level_bpe_lines_up(tmp_path):
    "RoBERTa pieces carry the space before a word in their offsets; they must still land in the right word."
    path = tiny_roberta(CORPUS, ["authentic", "fake"], path=tmp_path/"roberta")
    model, tok = AutoModelForSequenceClassification.from_pretrained(path), AutoTokenizer.from_pretrained(path)
    for text in TEXTS.values(): _check_aligned(word_attributions(model, tok, text, n_steps=10), text)

def test_unknown_pieces_map_back_to_characters(bert):
    _, model, tok = bert
    text = "খবর 🍞 zqxv দেখুন"
    assert tok.tokenize(text).count("[UNK]") >= 2
    pieces = [p for p, _ in token_attributions(model, tok, text, n_steps=10)]
    assert "[UNK]" not in pieces and "🍞" in pieces and "zqxv" in pieces
    _check_aligned(word_attributions(model, tok, text, n_steps=10), text)

def test_long_input_is_cut_with_a_note(bert, capsys):
    _, model, tok = bert
    text = " ".join(["সরকার নতুন বাজেট ঘোষণা করেছে 😡"] * 60)
    limit = context_length(model, tok)
    assert len(tok(text)["input_ids"]) > limit
    words = word_attributions(model, tok, text, n_steps=10)
    _check_aligned(words, text)
    assert "note:" in capsys.readouterr().err
    assert all(s == 0.0 for _, s in words[limit:])  # at least one token per word: all of these are past the cut
    assert any(s != 0.0 for _, s in words[:limit - 2])

def test_empty_text(bert):
    _, model, tok = bert
    assert word_attributions(model, tok, " \n ") == []

def test_cli_explain_prints_words_and_writes_html(bert, run_cli, tmp_path):
    path, _, _ = bert
    text = TEXTS["emoji"]
    proc = run_cli("explain", path, text, "--label", "fake", "--html", "out/why.html", env={"OMP_NUM_THREADS": 1})
    assert proc.returncode == 0, proc.stderr
    rows = [l.split("\t") for l in proc.stdout.splitlines()]
    assert [w for _, w in rows] == text.split()
    assert all(math.isfinite(float(s)) for s, _ in rows)
    assert "explaining fake" in proc.stderr
    html = (tmp_path/"out"/"why.html").read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and 'charset="utf-8"' in html
    assert "😡😡" in html and "দেখুন" in html and "for fake" in html
    assert not [p for p in (tmp_path/"out").iterdir() if p.name != "why.html"]  # no temporary files left

def test_explain_default_label_and_empty_text(bert, capsys):
    path, model, _ = bert
    words = explain(path, TEXTS["english"], n_steps=10)
    _check_aligned(words, TEXTS["english"])
    predicted = model.config.id2label[int(model(**AutoTokenizer.from_pretrained(path)(TEXTS["english"], return_tensors="pt")).logits.argmax())]
    assert f"explaining {predicted}" in capsys.readouterr().err
    with pytest.raises(HugtweetsError, match="empty"): explain(path, "  ")

def test_cli_explain_bad_label(bert, run_cli, tmp_path):
    path, _, _ = bert
    proc = run_cli("explain", path, "some text", "--label", "satire", "--html", "why.html", env={"OMP_NUM_THREADS": 1})
    assert_one_line_error(proc, "unknown label 'satire'", "authentic, fake")
    assert not (tmp_path/"why.html").exists()

def test_explain_bad_model(tmp_path):
    with pytest.raises(HugtweetsError, match="unknown model"): explain(tmp_path/"no-model", "text")

def test_planted_words_mark_one_author():
    "The words lesson 07 counts as planted evidence occur in no other person's posts, and mostly come from the sample generator's own lists."
    from hugtweets.lessons import author_posts, author_words, marker_words, sample_vocabularies, word_key
    posts = author_posts()
    planted, generator = marker_words(posts), author_words(sample_vocabularies())
    used = {a: {word_key(w) for t in posts.text[posts.author == a] for w in t.split()} for a in planted}
    for a, words in planted.items():
        assert len(words & used[a]) > 100, a  # the person really writes them
        assert len(words & generator[a]) > 0.9 * len(words), a
        for b in planted:
            if b != a: assert not words & used[b], (a, b, sorted(words & used[b])[:10])

def test_shipped_vocabularies_are_the_generators(tmp_path, monkeypatch):
    "An installed package (Colab) counts the same planted words as a clone: the generator's lists ship as package data."
    from conftest import ROOT
    from hugtweets.lessons import sample_vocabularies
    monkeypatch.syspath_prepend(str(ROOT/"tools"))
    import make_samples
    (tmp_path/"archives").mkdir()
    assert make_samples.write_vocabularies(tmp_path) == sample_vocabularies()
    assert {len(v) > 100 for v in sample_vocabularies().values()} == {True}

def test_log_attributions_needs_a_run():
    from hugtweets.interpret import log_attributions
    import wandb
    assert wandb.run is None
    with pytest.raises(HugtweetsError, match="no W&B run is active"): log_attributions([("a", 1.0)])
