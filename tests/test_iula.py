"Dataset creation for the Spanish lessons: `load_iula` on small corpora written in tmp, and on the bundled sample."
from pathlib import Path
import pytest
from hugtweets.core import HugtweetsError
from hugtweets.datasets import load_iula
from hugtweets.datasets.iula import IULA_DOMAINS


def write_corpus(root: Path, docs: dict) -> Path:
    "A corpus in the IULA layout, `IULAcorpus/ES/<doc>/<doc>-plain.txt`, from `{doc: text}`."
    for name, text in docs.items():
        folder = root/"IULAcorpus"/"ES"/name
        folder.mkdir(parents=True, exist_ok=True)
        (folder/f"{name}-plain.txt").write_text(text, encoding="utf-8")
    return root/"IULAcorpus"


@pytest.fixture
def corpus(tmp_path):
    "Five domains; legal has one document, as in the real corpus; blank and blank-looking lines in between."
    docs = {}
    for letter, n in [("a", 4), ("m", 6), ("i", 3), ("e", 2), ("d", 1)]:
        for k in range(n):
            docs[f"{letter}{k:03d}"] = "".join(f"Línea {j} del documento {letter}{k}.\n\n  \t \n" for j in range(5))
    return write_corpus(tmp_path, docs)


def test_letter_to_domain(tmp_path):
    path = write_corpus(tmp_path, {"a1": "x\n", "m1": "x\n", "i1": "x\n", "e1": "x\n", "d1": "x\n"})
    df = load_iula(path, split="line", min_docs=1)
    assert dict(zip(df.doc, df.label)) == {"a1": "ambiente", "m1": "medicina", "i1": "tecnología", "e1": "economía", "d1": "legal"}
    assert IULA_DOMAINS == {"a": "ambiente", "m": "medicina", "i": "tecnología", "e": "economía", "d": "legal"}


def test_columns_and_blank_lines_skipped(corpus):
    df = load_iula(corpus)
    assert list(df.columns) == ["text", "label", "doc", "is_valid"]
    assert len(df) == (4 + 6 + 3 + 2) * 5            # 5 lines a document; the blank ones are gone (legal dropped)
    assert (df.text.str.strip() == df.text).all() and (df.text != "").all()


def test_no_document_in_both_sets(corpus):
    for seed in (0, 1, 42):
        df = load_iula(corpus, seed=seed)
        assert not set(df[df.is_valid].doc) & set(df[~df.is_valid].doc)
        per_side = df.groupby(["label", "is_valid"]).doc.nunique().unstack()
        assert (per_side >= 1).all().all(), "every domain must have a document on each side"


def test_split_is_seeded(corpus):
    assert load_iula(corpus, seed=3).equals(load_iula(corpus, seed=3))
    assert any(not load_iula(corpus, seed=s).is_valid.equals(load_iula(corpus, seed=3).is_valid) for s in range(4, 10))


def test_min_docs_drops_small_domains(corpus, capsys):
    df = load_iula(corpus)
    assert "legal" not in set(df.label)
    assert "Dropped domain 'legal'" in capsys.readouterr().out
    df = load_iula(corpus, min_docs=4)
    assert sorted(df.label.unique()) == ["ambiente", "medicina"]
    out = capsys.readouterr().out
    assert "'economía'" in out and "'tecnología'" in out


@pytest.mark.parametrize("where", ["nowhere", "empty"])
def test_missing_or_empty_folder_is_one_line_error(tmp_path, where):
    (tmp_path/"empty"/"ES").mkdir(parents=True)
    with pytest.raises(HugtweetsError) as e:
        load_iula(tmp_path/where)
    assert "\n" not in str(e.value) and "IULA" in str(e.value)


def test_line_split_leaks_documents(corpus):
    df = load_iula(corpus, split="line")
    shared = set(df[df.is_valid].doc) & set(df[~df.is_valid].doc)
    assert len(shared) >= 10                         # nearly every document sits on both sides
    assert df.is_valid.mean() == pytest.approx(0.2)
    assert df[["text", "label", "doc"]].equals(load_iula(corpus)[["text", "label", "doc"]])


def test_folder_holding_iulacorpus_is_accepted(corpus):
    assert load_iula(corpus.parent).equals(load_iula(corpus))


def test_bundled_sample_loads():
    from hugtweets.samples import sample_iula
    df = load_iula(sample_iula())
    assert set(df.label) == {"ambiente", "medicina", "tecnología", "economía"}
    assert not set(df[df.is_valid].doc) & set(df[~df.is_valid].doc)


def test_bundled_sample_domains_differ_in_vocabulary():
    "The sample is built so that a model that learns each domain's words places lines of unseen documents (lessons 21-23)."
    import re
    from collections import Counter
    from hugtweets.samples import sample_iula
    df = load_iula(sample_iula())
    def words(d): return Counter(w for t in d.text for w in re.findall(r"\w{6,}", t.lower()))
    for label in sorted(set(df.label)):
        valid, train = df[df.is_valid & (df.label == label)], df[~df.is_valid & (df.label == label)]
        others = words(df[~df.is_valid & (df.label != label)])
        own = {w for w, n in words(train).items() if n >= 3 and others[w] == 0}   # words only this domain uses
        share = valid.text.map(lambda t: bool(set(re.findall(r"\w{6,}", t.lower())) & own)).mean()
        assert share >= 0.6, (label, share)
