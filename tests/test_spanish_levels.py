"The Spanish lessons' claim: the three API levels are the same training, so on the same split and seed they score the same."
import tempfile
import pytest
import torch
from fastai.data.block import DataBlock, CategoryBlock
from fastai.data.core import Datasets
from fastai.data.transforms import Categorize, ColReader, ColSplitter
from fastai.learner import Learner
from fastai.losses import CrossEntropyLossFlat
from fastai.metrics import F1Score, accuracy
from fastai.torch_core import set_seed
from transformers import AutoModelForSequenceClassification, AutoTokenizer
from hugtweets.datasets import load_iula
from hugtweets.datasets.iula import domain_scores
from hugtweets.samples import sample_iula
from hugtweets.tiny import tiny_roberta
from hugtweets.hf import load_model
from hugtweets.learner import text_classifier_learner
from hugtweets.datablock import HFTextBlock, HFTextDL, TextGetter
from hugtweets.modeling import HFClassifier, adamw, hf_splitter, classification_metrics

EPOCHS, LR, BS, SEED = 4, 2e-3, 8, 42   # the lessons train 8 epochs; 4 are enough to show the levels agree


@pytest.fixture(scope="module")
def task():
    df = load_iula(sample_iula())
    labels = sorted(df.label.unique())
    yield df, labels, tiny_roberta(df.text.tolist(), labels, layers=1, vocab_size=2000), tempfile.mkdtemp()


def fit(learn):
    set_seed(SEED)
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(EPOCHS, LR)
    return learn


def high_level(df, labels, model, work):
    set_seed(SEED)
    return fit(text_classifier_learner(df, model, bs=BS, max_len=128, path=work))


def mid_level(df, labels, model, work):
    set_seed(SEED)
    hf_model, tok = load_model(model, "sequence-classification", labels=labels)
    dblock = DataBlock(blocks=(HFTextBlock(tok, max_len=128), CategoryBlock(vocab=labels)),
                       get_x=TextGetter("text"), get_y=ColReader("label"), splitter=ColSplitter("is_valid"))
    return fit(Learner(dblock.dataloaders(df, bs=BS), HFClassifier(hf_model), loss_func=CrossEntropyLossFlat(),
                       metrics=classification_metrics(labels), splitter=hf_splitter, opt_func=adamw, path=work))


def low_level(df, labels, model, work):
    set_seed(SEED)
    tok = AutoTokenizer.from_pretrained(model)
    hf_model = AutoModelForSequenceClassification.from_pretrained(
        model, num_labels=len(labels), id2label=dict(enumerate(labels)), label2id={l: i for i, l in enumerate(labels)},
        ignore_mismatched_sizes=True)
    dsets = Datasets(df, [[TextGetter("text")], [ColReader("label"), Categorize(vocab=labels)]], splits=ColSplitter("is_valid")(df))
    dls = dsets.dataloaders(bs=BS, dl_type=HFTextDL, tokenizer=tok, max_len=128)
    learn = Learner(dls, HFClassifier(hf_model), loss_func=CrossEntropyLossFlat(), metrics=[accuracy, F1Score(average="macro")],
                    splitter=hf_splitter, opt_func=adamw, path=work)
    with learn.no_bar(), learn.no_logging(): learn.lr_find(num_it=20, show_plot=False)   # uses up random numbers; fit reseeds
    return fit(learn)


def test_three_levels_score_the_same(task):
    learners = {level.__name__: level(*task) for level in (high_level, mid_level, low_level)}
    df = task[0]
    for name, learn in learners.items():
        assert sorted(text for text, _ in learn.dls.valid_ds) == sorted(df[df.is_valid].text), f"{name} validates on other lines"
    scores = {name: domain_scores(l) for name, l in learners.items()}
    f1 = {name: s["f1_macro"] for name, s in scores.items()}
    assert max(f1.values()) - min(f1.values()) <= 0.05, f1
    probs, _ = learners["high_level"].get_preds()
    assert probs.argmax(1).unique().numel() > 1, "the model learned more than one class"
