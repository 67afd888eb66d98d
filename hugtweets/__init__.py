"""A notebook course and small library for fine-tuning Hugging Face transformers with fastai and the HF Trainer: tweets in a person's voice, Bangla fake news, Spanish domains.

Modules:

- `hugtweets.blurr`: blurr's names for sequence classification, 1.x (`Blearner`, `TextBlock`, `get_hf_objects`, `BLURR`, `BaseModelWrapper`, `BaseModelCallback`, `blurr_splitter`, `TextDataLoader`, `blurr_predict`) and 2021 (`HF_TextBlock`, `HF_BaseModelWrapper`, `HF_BaseModelCallback`, `BLURR_MODEL_HELPER`, `hf_splitter`, `from_dataframe`), as thin aliases of hugtweets' pieces; and how to move to hugtweets' own API.
- `hugtweets.datablock`: The mid level: a fastai `DataBlock` whose text block tokenizes each batch with the Hugging Face fast tokenizer, pads to the longest text of the batch, and serves training batches sorted by length.
- `hugtweets.generate`: Fine-tune a causal language model (GPT-2 in Colab, a tiny GPT-2 offline) on a tweet dataset, write tweets with it, compare how predictable each person is, and share the model with a card.
- `hugtweets.learner`: The high level: a ready fastai `Learner` for any Hugging Face sequence-classification model, from a DataFrame, a CSV/JSONL file or a `datasets.Dataset`; prediction with label names; `save_pretrained` and `push_to_hub` that `transformers.pipeline` reads with the real label names.
- `hugtweets.lessons`: The data the classification lessons share: "who wrote this post?" over the three people whose X archives ship with hugtweets, and the words that give each of them away.
- `hugtweets.model_card`: A README.md that says what a tweet model was trained on, how well it does, how to use it, and that its words are not the person's, with the metadata (base model, license, perplexity) the Hub shows beside it.
- `hugtweets.modeling`: The low level: a model wrapper that hands fastai the logits, `HFLearner` (fastai's `Learner` with label-name prediction, sentence pairs and a safe `export`), a per-layer splitter for discriminative learning rates, class-imbalance helpers, the right F1 for the task, and the fastai callbacks that matter for fine-tuning transformers (W&B, gradient accumulation, mixed precision, early stopping)."""

__version__ = "0.1.0"
