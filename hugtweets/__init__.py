"""A notebook course and small library for fine-tuning Hugging Face transformers with fastai and the HF Trainer: tweets in a person's voice, Bangla fake news, Spanish domains.

Modules:

- `hugtweets.blurr`: blurr 1.x's high-level names (`BlearnerForSequenceClassification.from_data`, `blurr_predict`) and the 2021 spellings (`from_dataframe`, `from_csv`), running on hugtweets' learner; and how to move to hugtweets' own API.
- `hugtweets.callbacks`: The low level: a model wrapper that hands fastai the logits, a per-layer splitter for discriminative learning rates, class-imbalance helpers, the right F1 for the task, and the fastai callbacks that matter for fine-tuning transformers (W&B, gradient accumulation, mixed precision, early stopping).
- `hugtweets.datablock`: The mid level: a fastai `DataBlock` whose text block tokenizes each batch with the Hugging Face fast tokenizer, pads to the longest text of the batch, and serves training batches sorted by length.
- `hugtweets.generate`: Fine-tune a causal language model (GPT-2 in Colab, a tiny GPT-2 offline) on a tweet dataset, write tweets with it, compare how predictable each person is, and share the model with a card.
- `hugtweets.learner`: The high level: a ready fastai `Learner` for any Hugging Face sequence-classification model, from a DataFrame, a CSV/JSONL file or a `datasets.Dataset`; prediction with label names; `save_pretrained` and `push_to_hub` that `transformers.pipeline` reads with the real label names.
- `hugtweets.model_card`: A README.md that says what a tweet model was trained on, how well it does, how to use it, and that its words are not the person's, with the metadata (base model, license, perplexity) the Hub shows beside it."""

__version__ = "0.1.0"
