"Integration tests of the fastai + transformers learner: label names through save/pipeline, metrics, splitter, interpretation, W&B."
import json
from pathlib import Path
import numpy as np, pandas as pd, pytest, torch
from transformers import pipeline, BertConfig, BertForSequenceClassification, RobertaConfig, RobertaForSequenceClassification, \
    DistilBertConfig, DistilBertForSequenceClassification, GPT2Config, GPT2ForSequenceClassification
from fastai.interpret import ClassificationInterpretation
from hugtweets.core import files_containing, HugtweetsError
from hugtweets.tiny import tiny_bert, tiny_roberta
from hugtweets.modeling import HFClassifier, hf_splitter
from hugtweets.learner import text_classifier_learner, learnable_sample, load_table, train_classifier, predict_texts

FIVE = ["anger", "joy", "love", "sadness", "surprise"]

def _silent(*args, **kwargs):
    "A logger that prints nothing (a module-level function, so that an exported learner can pickle it)."

def quiet(learn):
    "`learn` without progress bars or printed logs."
    learn.remove_cbs([cb for cb in learn.cbs if type(cb).__name__ == "ProgressCallback"])
    learn.logger = _silent
    return learn

@pytest.fixture(scope="module")
def binary():
    df = learnable_sample(160, labels=("authentic", "fake"), seed=1)
    return df, tiny_bert(df.text.tolist(), ["authentic", "fake"])

@pytest.fixture(scope="module")
def five():
    df = learnable_sample(200, labels=FIVE, seed=2)
    # a 3-label head: the 5-label learner must replace it (like nlptown's 5-star head on another task)
    return df, tiny_roberta(df.text.tolist(), ["x", "y", "z"])

@pytest.fixture(scope="module")
def five_learner(five):
    df, model = five
    learn = quiet(text_classifier_learner(df, model, bs=8))
    learn.fit_one_cycle(3, 3e-3)
    return learn

def test_binary_labels_survive_pipeline(binary, tmp_path):
    df, model = binary
    learn = quiet(text_classifier_learner(df, model, bs=8, pos_label="fake"))
    learn.fit_one_cycle(3, 3e-3)
    out = learn.save_pretrained(tmp_path/"clf")
    assert {"config.json", "tokenizer.json", "README.md"} <= {p.name for p in out.iterdir()}
    assert not list(out.glob("*.pkl")) and not list(out.glob("*.pth"))
    assert json.loads((out/"config.json").read_text())["id2label"] == {"0": "authentic", "1": "fake"}
    res = pipeline("text-classification", model=str(out))(["fakeful the fakely of", "authness and authly"])
    assert [r["label"] for r in res] == ["fake", "authentic"]
    assert [l for l, _ in predict_texts(out, ["fakeful the fakely of"])] == ["fake"]
    card = (out/"README.md").read_text()
    assert "`authentic`, `fake`" in card and "f1\\_fake" in card and "pipeline_tag: text-classification" in card

def test_five_labels_replace_head_and_survive_pipeline(five_learner, tmp_path):
    learn = five_learner
    assert learn.model.hf_model.config.num_labels == 5
    assert learn.model.hf_model.config.id2label == dict(enumerate(FIVE))
    out = learn.save_pretrained(tmp_path/"clf5")
    res = pipeline("text-classification", model=str(out), top_k=None)(["joyful the joyly"])[0]
    assert sorted(r["label"] for r in res) == FIVE
    assert not any(r["label"].startswith("LABEL_") for r in res)

def test_multiclass_metrics_and_report(five_learner):
    learn = five_learner
    assert [m.name for m in learn.metrics] == ["accuracy", "f1_macro"]
    loss, acc, f1 = learn.validate()
    assert 0 <= acc <= 1 and 0 <= f1 <= 1
    assert f1 > 0.4, f1  # chance is about 0.2 on a learnable sample
    rep = learn.classification_report()
    assert list(rep.index[:5]) == FIVE and {"accuracy", "macro avg"} <= set(rep.index)
    assert rep.loc[FIVE, "support"].sum() == len(learn.dls.valid_ds)

def test_predict_returns_fastai_triple(five_learner):
    label, idx, probs = five_learner.predict("lovely loveful the a")
    assert label in FIVE and label == FIVE[int(idx)]
    assert probs.shape == (5,) and abs(float(probs.sum()) - 1) < 1e-5
    preds = five_learner.predict_texts(["lovely the", "sadnful sadnly", "joyful"])
    assert len(preds) == 3 and all(l in FIVE and 0 <= p <= 1 for l, p in preds)

def test_classification_interpretation(five_learner):
    interp = ClassificationInterpretation.from_learner(five_learner)
    cm = interp.confusion_matrix()
    assert cm.shape == (5, 5) and cm.sum() == len(five_learner.dls.valid_ds)
    interp.plot_confusion_matrix(figsize=(4, 4))
    losses, idxs = interp.top_losses(3)
    assert len(losses) == 3 and losses[0] >= losses[-1]
    interp.plot_top_losses(3)
    assert isinstance(interp.most_confused(), list)

def _tiny_configs():
    "Tiny random BERT/RoBERTa/DistilBERT/GPT-2 classifiers with 3 (GPT-2: 2) layers."
    small = dict(vocab_size=100, hidden_size=32, num_hidden_layers=3, num_attention_heads=2, intermediate_size=64, max_position_embeddings=64)
    return {"bert": BertForSequenceClassification(BertConfig(**small)),
            "roberta": RobertaForSequenceClassification(RobertaConfig(**small, pad_token_id=1)),
            "distilbert": DistilBertForSequenceClassification(DistilBertConfig(vocab_size=100, dim=32, n_layers=3, n_heads=2, hidden_dim=64, max_position_embeddings=64)),
            "gpt2": GPT2ForSequenceClassification(GPT2Config(vocab_size=100, n_embd=32, n_layer=2, n_head=2, n_positions=64, pad_token_id=0))}

@pytest.mark.parametrize("arch", ["bert", "roberta", "distilbert", "gpt2"])
def test_splitter_groups(arch):
    model = _tiny_configs()[arch]
    n_layers = 2 if arch == "gpt2" else 3
    groups = hf_splitter(HFClassifier(model))
    assert len(groups) == n_layers + 2  # embeddings, each layer, head
    assert sum(len(g) for g in groups) == len(list(model.parameters()))  # every parameter exactly once
    assert len({id(p) for g in groups for p in g}) == len(list(model.parameters()))
    assert len(hf_splitter(model, n_groups=3)) == 3
    head = {id(p) for p in groups[-1]}
    classifier = model.score if arch == "gpt2" else model.classifier
    assert all(id(p) in head for p in classifier.parameters())

def test_splitter_on_learner_freeze(binary):
    df, model = binary
    learn = text_classifier_learner(df, model, n_groups=3)
    assert len(learn.opt.param_groups if learn.opt else learn.splitter(learn.model)) == 3
    learn.freeze()
    hf = learn.model.hf_model
    assert not hf.bert.embeddings.word_embeddings.weight.requires_grad
    assert not hf.bert.encoder.layer[0].attention.self.query.weight.requires_grad
    assert all(p.requires_grad for p in hf.classifier.parameters())  # the head trains (and, as in fastai, the norms)
    learn.unfreeze()
    assert all(p.requires_grad for p in learn.model.parameters())

def test_bert_and_roberta_learners_split_per_layer(binary, five):
    assert len(text_classifier_learner(*binary).splitter(text_classifier_learner(*binary).model)) == 4  # tiny: 2 layers
    learn = text_classifier_learner(*five)
    assert len(learn.splitter(learn.model)) == 4

def test_imbalance_options(binary):
    df, model = binary
    skewed = pd.concat([df[df.label == "authentic"], df[df.label == "fake"].head(16)], ignore_index=True)
    learn = text_classifier_learner(skewed, model, loss_weights="balanced", pos_label="fake")
    w = learn.loss_func.func.weight
    assert w is not None and w[1] > w[0] * 3
    assert [m.name for m in learn.metrics] == ["accuracy", "f1_fake"]
    over = text_classifier_learner(skewed, model, oversample=True)
    labels = pd.Series([r["label"] for r in over.dls.train_ds.items])
    assert labels.value_counts().nunique() == 1  # classes balanced in training
    assert len(over.dls.valid_ds) == len(learn.dls.valid_ds)  # validation untouched
    valid = pd.Series([r["label"] for r in learn.dls.valid_ds.items])
    assert (valid == "fake").sum() >= 2  # the stratified split keeps the rare class in validation
    with pytest.raises(HugtweetsError, match="loss_weights"): text_classifier_learner(skewed, model, loss_weights=[1.0])

def test_is_valid_column_and_datasets_input(binary):
    from datasets import Dataset
    df, model = binary
    df = df.assign(is_valid=np.arange(len(df)) % 4 == 0)
    learn = text_classifier_learner(Dataset.from_pandas(df), model)
    assert len(learn.dls.valid_ds) == int(df.is_valid.sum())
    assert {r["text"] for r in learn.dls.valid_ds.items} == set(df.text[df.is_valid])

def test_datasets_class_labels_become_names(binary):
    from datasets import Dataset, DatasetDict, ClassLabel
    df, model = binary
    ds = Dataset.from_pandas(df.assign(label=(df.label == "fake").astype(int))).cast_column("label", ClassLabel(names=["authentic", "fake"]))
    split = ds.train_test_split(test_size=0.25, seed=0)
    learn = text_classifier_learner(DatasetDict(train=split["train"], validation=split["test"]), model)
    assert list(learn.dls.vocab) == ["authentic", "fake"] and len(learn.dls.valid_ds) == len(split["test"])

def test_batches_pad_to_longest_and_sort_by_length(binary):
    df, model = binary
    learn = text_classifier_learner(df, model, bs=8)
    lengths = []
    for x, y in learn.dls.train:
        mask = x["attention_mask"]
        assert mask.sum(1).max() == mask.shape[1]  # padded to the longest text of the batch, no further
        lengths.append(mask.shape[1])
    valid_lengths = [x["input_ids"].shape[1] for x, _ in learn.dls.valid]
    assert valid_lengths == sorted(valid_lengths, reverse=True)

def test_wandb_offline_run_dir(binary, tmp_path, monkeypatch):
    import wandb
    wandb.teardown()  # a W&B session of an earlier test in this process would keep its own folder
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_DIR", str(tmp_path))
    df, model = binary
    learn = quiet(text_classifier_learner(df, model, use_wandb=True))
    try:
        learn.fit(1, 1e-3)
        run_dir = Path(wandb.run.dir).parent
    finally: wandb.finish()
    assert run_dir.exists() and run_dir.name.startswith("offline-run-")
    assert list(run_dir.glob("run-*.wandb"))
    assert learn.predict("fakeful the")[0] in ("authentic", "fake")  # the W&B callback is idle after wandb.finish()

def test_push_to_hub_uploads_saved_folder_without_the_token(binary, monkeypatch, fake_secrets):
    import huggingface_hub
    calls = {}
    class FakeApi:
        def __init__(self, token=None): calls["token"] = token
        def create_repo(self, repo_id, **kw): calls["repo"] = repo_id
        def upload_folder(self, folder_path, repo_id, **kw):
            calls["files"] = sorted(p.name for p in Path(folder_path).iterdir())
            calls["leaks"] = files_containing(folder_path, fake_secrets.values())
    monkeypatch.setattr(huggingface_hub, "HfApi", FakeApi)
    df, model = binary
    url = text_classifier_learner(df, model).push_to_hub("me/fake-news")
    assert url.endswith("me/fake-news") and calls["repo"] == "me/fake-news"
    assert calls["token"] == fake_secrets["HF_TOKEN"]
    assert {"config.json", "README.md", "tokenizer.json"} <= set(calls["files"]) and calls["leaks"] == []
    with pytest.raises(HugtweetsError, match="USER/NAME"): text_classifier_learner(df, model).push_to_hub("no owner")

def test_bad_input_errors(binary, tmp_path):
    df, model = binary
    with pytest.raises(HugtweetsError, match="column 'body' not found"): text_classifier_learner(df, model, text_col="body")
    with pytest.raises(HugtweetsError, match="pos_label"): text_classifier_learner(df, model, pos_label="Fake")
    with pytest.raises(HugtweetsError, match="unknown model"): text_classifier_learner(df, tmp_path/"no-model")
    with pytest.raises(HugtweetsError, match="only one class"): load_table(df.assign(label="fake"))

# --- export/load_learner at the three levels, sentence pairs, what predict accepts, empty validation sets ---
from fastai.data.core import Datasets
from fastai.data.transforms import ColReader, Categorize, IndexSplitter, RandomSplitter
from fastai.learner import Learner, load_learner
from transformers import AutoTokenizer, AutoModelForSequenceClassification
from hugtweets.modeling import HFLearner
from hugtweets.datablock import hf_datablock, hf_dataloaders, HFTextDL, TextGetter

def _round_trip(learn, tmp_path, item):
    "Export, check `learn` kept its data, load, and compare predictions; returns the loaded learner."
    learn.path = tmp_path
    n_train = len(learn.dls.train_ds)
    learn.export("clf.pkl")
    assert len(learn.dls.train_ds) == n_train and learn.dls.train_ds.items is not None  # fastai would leave the dls empty
    loaded = load_learner(tmp_path/"clf.pkl")
    assert type(loaded) is HFLearner
    label, idx, probs = loaded.predict(item)
    assert label == learn.predict(item)[0] and torch.allclose(probs, learn.predict(item)[2], atol=1e-5)
    assert [l for l, _ in loaded.predict_texts([item, item])] == [label, label]
    return loaded

def test_export_round_trip_one_line(binary, tmp_path):
    df, model = binary
    learn = quiet(text_classifier_learner(df, model, bs=8))
    learn.fit_one_cycle(2, 3e-3)
    assert _round_trip(learn, tmp_path, "fakeful the fakely of").predict("fakeful the fakely of")[0] == "fake"

def _pairs(n=48):
    "MRPC-style sentence pairs: `same` when the second sentence repeats the first one's marker word."
    rng = np.random.default_rng(0)
    rows = []
    for i in range(n):
        w = ["apple", "river", "stone", "cloud"][i % 4]
        same = i % 2 == 0
        rows.append((f"the {w} was here", f"a {w} is there" if same else f"a {['tree', 'lamp', 'road', 'wind'][i % 4]} is there",
                     "same" if same else "different"))
    return pd.DataFrame(rows, columns=["sentence1", "sentence2", "label"]).sample(frac=1, random_state=0).reset_index(drop=True)

def test_export_round_trip_datablock_with_pairs(binary, tmp_path):
    df, model = binary
    pairs = _pairs()
    tok = AutoTokenizer.from_pretrained(model)
    dls = hf_datablock(tok, text_col=["sentence1", "sentence2"], splitter=RandomSplitter(seed=0)).dataloaders(pairs.to_dict("records"), bs=8)
    x, _ = dls.one_batch()
    assert bool(((x["input_ids"] == tok.sep_token_id).sum(1) == 2).all())  # two segments, each closed by [SEP]
    learn = quiet(HFLearner(dls, AutoModelForSequenceClassification.from_pretrained(model, num_labels=2)))
    learn.fit_one_cycle(2, 3e-3)
    loaded = _round_trip(learn, tmp_path, ("the stone was here", "a stone is there"))
    assert len(loaded.predict_texts(pairs.head(5))) == 5  # a DataFrame of pairs: its two text columns

def test_export_round_trip_plain_datasets(binary, tmp_path):
    df, model = binary
    tok = AutoTokenizer.from_pretrained(model)
    splits = RandomSplitter(seed=0)(df)
    dsets = Datasets(df, [[TextGetter("text")], [ColReader("label"), Categorize(vocab=["authentic", "fake"])]], splits=splits)
    dls = dsets.dataloaders(bs=8, dl_type=HFTextDL, tokenizer=tok)
    learn = quiet(HFLearner(dls, HFClassifier(AutoModelForSequenceClassification.from_pretrained(model)), opt_func=__import__("hugtweets.modeling").modeling.adamw))
    learn.fit_one_cycle(2, 3e-3)
    _round_trip(learn, tmp_path, "authness and authly")

def test_pairs_one_line_and_predict_inputs(binary, tmp_path):
    df, model = binary
    learn = quiet(text_classifier_learner(_pairs(), model, text_col=["sentence1", "sentence2"], bs=8))
    learn.fit_one_cycle(3, 3e-3)
    res = learn.predict(("the cloud was here", "a cloud is there"))
    assert res[0] in ("same", "different") and res[2].shape == (2,)
    assert len(learn.predict_texts([("a", "b"), ("c", "d"), ("e", "f")])) == 3
    with pytest.raises(HugtweetsError, match="nothing to predict"): learn.predict_texts([])
    with pytest.raises(HugtweetsError, match="nothing to predict"): learn.predict_texts(pd.Series([], dtype=str))
    out = learn.save_pretrained(tmp_path/"pairs")  # the saved folder reads pairs too, through `pipeline`
    assert [l for l, _ in predict_texts(out, [("the cloud was here", "a cloud is there")])] == [res[0]]
    with pytest.raises(HugtweetsError, match="nothing to predict"): predict_texts(out, [])

def test_empty_validation_set_refused_the_same_way(binary):
    df, model = binary
    msg = "the split left the training or the validation set empty"
    with pytest.raises(HugtweetsError, match=msg): text_classifier_learner(df.assign(is_valid=False), model)
    with pytest.raises(HugtweetsError, match=msg): text_classifier_learner(df, model, dblock_splitter=IndexSplitter([]))
    tok = AutoTokenizer.from_pretrained(model)
    with pytest.raises(HugtweetsError, match=msg): hf_dataloaders(df, tok, splitter=IndexSplitter([]))
    with pytest.raises(HugtweetsError, match=msg): hf_datablock(tok, splitter=IndexSplitter([])).dataloaders(df.to_dict("records"))

def test_plain_fastai_learner_keeps_fastai_predict():
    import fastai.learner, hugtweets.learner, hugtweets.blurr  # noqa: F401 (imported for their side effects, if any)
    assert Learner.predict.__module__ == "fastai.learner" and Learner.predict.__qualname__ == "Learner.predict"
    assert Learner.export.__module__ == "fastai.learner"
    assert HFLearner.predict is not Learner.predict

def test_old_module_name_warns_and_gives_the_same_objects():
    import importlib, sys, warnings
    import hugtweets.modeling as new
    sys.modules.pop("hugtweets.callbacks", None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        old = importlib.import_module("hugtweets.callbacks")
    assert old.hf_splitter is new.hf_splitter and old.HFClassifier is new.HFClassifier and old.HFLearner is new.HFLearner
    assert [w.category for w in caught if "hugtweets.modeling" in str(w.message)] == [DeprecationWarning]

def test_lesson_03_stores_pretrained_vs_random():
    "Lesson 03's stored outputs keep the side-by-side table of the real encoder, pretrained against random weights."
    nb = json.loads((Path(__file__).parents[1]/"nbs"/"03_learner.ipynb").read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "comparison = pd.DataFrame" in "".join(c["source"]))
    text = "".join(t for o in cell["outputs"] for t in o.get("data", {}).get("text/plain", []))
    assert "pretrained (from_pretrained)" in text and "random (from_config)" in text, text
