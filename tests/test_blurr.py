"blurr 1.x compatibility: `BlearnerForSequenceClassification.from_data` trains on hugtweets and `blurr_predict` returns blurr's dicts."
import pandas as pd, pytest, torch
from hugtweets.blurr import BlearnerForSequenceClassification
from hugtweets.core import HugtweetsError
from hugtweets.learner import learnable_sample
from hugtweets.tiny import tiny_bert

LABELS = ["ambiente", "economía", "medicina"]

@pytest.fixture(scope="module")
def data():
    df = learnable_sample(180, labels=LABELS, seed=7)
    return df, tiny_bert(df.text.tolist(), LABELS)

def test_from_data_trains_and_blurr_predict_returns_label_names(data):
    df, model = data
    learn = BlearnerForSequenceClassification.from_data(df, model, text_attr="text", label_attr="label", n_labels=3,
                                                        dl_kwargs={"bs": 8}, learner_kwargs={})
    assert not learn.model.hf_model.bert.embeddings.word_embeddings.weight.requires_grad  # frozen, as blurr's was
    learn.remove_cbs([cb for cb in learn.cbs if type(cb).__name__ == "ProgressCallback"])
    learn.logger = lambda *a, **k: None
    learn.unfreeze()
    learn.fit_one_cycle(6, 3e-3)  # margins about 0.99; after 4 epochs one was 0.58
    assert [m.name for m in learn.metrics] == ["accuracy", "f1_macro"]  # blurr's binary F1 crashed here (blurr #74)
    assert learn.validate()[2] > 0.5  # macro F1, chance is about 0.33
    preds = learn.blurr_predict(["mediful the medily", "econful of econly", "ambiful ambily the"])
    assert [p["label"] for p in preds] == ["medicina", "economía", "ambiente"]
    p = preds[0]
    assert set(p) == {"label", "score", "class_index", "class_labels", "probs"}
    assert p["class_labels"] == LABELS and p["label"] == LABELS[p["class_index"]]
    assert p["score"] == max(p["probs"]) and abs(sum(p["probs"]) - 1) < 1e-5
    assert len(learn.blurr_predict("a single text")) == 1

def test_2021_spellings(data, tmp_path):
    df, model = data
    df.to_csv(tmp_path/"train.csv", index=False)
    learn = BlearnerForSequenceClassification.from_csv(tmp_path/"train.csv", model, preprocess_func=lambda d: d.head(90))
    assert len(learn.dls.train_ds) + len(learn.dls.valid_ds) == 90
    renamed = df.rename(columns={"text": "sentence", "label": "domain"})
    learn = BlearnerForSequenceClassification.from_dataframe(renamed, model, text_attr="sentence", label_attr="domain")
    assert list(learn.dls.vocab) == LABELS and learn.model.hf_model.config.id2label == dict(enumerate(LABELS))
    records = BlearnerForSequenceClassification.from_data(df.to_dict("records"), model)
    assert len(records.dls.vocab) == 3
    with pytest.raises(HugtweetsError, match="n_labels=2"): BlearnerForSequenceClassification.from_data(df, model, n_labels=2)

def test_old_names_are_aliases_and_other_tasks_fail_in_one_line():
    import hugtweets.blurr as blurr
    from hugtweets.datablock import HFTextBlock
    from hugtweets.modeling import HFClassifier, hf_splitter
    assert blurr.hf_splitter is hf_splitter and issubclass(blurr.HF_BaseModelWrapper, HFClassifier)
    assert blurr.HF_TextBlock is blurr.TextBlock and blurr.BLURR is blurr.BLURR_MODEL_HELPER
    with pytest.raises(HugtweetsError, match="token classification") as e:
        from hugtweets.blurr import BlearnerForTokenClassification  # noqa: F401
    assert "\n" not in str(e.value)
    with pytest.raises(AttributeError): blurr.no_such_name

