"""What `hugtweets push` and `train` put on the Hub: only the model's files, a card written for the repo, no local path, no link
out of the folder, and no markup from data."""
import os, shutil
from pathlib import Path
import pytest
from conftest import assert_one_line_error

TOKEN = "hf_push_test_SECRET_2468"
REPO = "me/demo-tweets"

def uploaded(hub, repo=REPO) -> dict[str, bytes]:
    "Every file the local Hub keeps for `repo`, hidden ones included: repo path -> bytes."
    folder = hub.repo_dir(repo)
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()} if folder.exists() else {}

def push(run_cli, hub, folder, repo=REPO):
    return run_cli("push", folder, repo, env=dict(HF_ENDPOINT=hub.url, HF_TOKEN=TOKEN, HF_HUB_OFFLINE="0", HF_HUB_DISABLE_XET="1"))

def model_folder(path: Path) -> Path:
    "A folder as `hugtweets train` leaves it, plus a note the user keeps beside it."
    path.mkdir()
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json", "generation_config.json"): (path/name).write_text("{}")
    (path/"model.safetensors").write_bytes(b"weights")
    (path/"trainer_state.json").write_text('{"log_history": []}')
    (path/".hugtweets-output").write_text("")
    (path/"README.md").write_text('---\nlicense: mit\n---\n# m\n\n```python\npipeline("text-generation", model="./model")\n```\n\n'
                                  "Or on the command line: `hugtweets generate ./model 'I think' -n 5`.\n")
    return path

def test_push_uploads_only_the_model_and_never_follows_a_link_out(run_cli, hub, tmp_path):
    (tmp_path/"secret.key").write_bytes(b"PRIVATE-KEY-BYTES")
    folder = model_folder(tmp_path/"model")
    (folder/"notes.txt").symlink_to("../secret.key")            # not a model file: not uploaded at all
    proc = push(run_cli, hub, folder)
    assert proc.returncode == 0, proc.stderr
    assert set(uploaded(hub)) == {"README.md", "config.json", "tokenizer.json", "tokenizer_config.json",
                                          "generation_config.json", "model.safetensors"}
    assert not any(b"PRIVATE-KEY" in v for v in uploaded(hub).values())
    assert "not uploaded" in proc.stdout and "trainer_state.json" in proc.stdout
    # a model file that is a link out of the folder: refused, nothing pushed
    (folder/"tokenizer.json").unlink()
    (folder/"tokenizer.json").symlink_to(tmp_path/"secret.key")
    shutil.rmtree(hub.repo_dir(REPO))
    hub.calls.clear()
    proc = push(run_cli, hub, folder)
    assert_one_line_error(proc, "tokenizer.json is a link to a file outside")
    assert uploaded(hub) == {} and hub.calls == []
    assert (tmp_path/"secret.key").read_bytes() == b"PRIVATE-KEY-BYTES"   # and nothing of the user's was touched
    # a link that stays inside the folder is fine
    (folder/"tokenizer.json").unlink()
    (folder/"tokenizer.json").symlink_to("config.json")
    assert push(run_cli, hub, folder).returncode == 0 and uploaded(hub)["tokenizer.json"] == b"{}"

def test_push_error_for_a_repo_without_owner_names_push_not_train(run_cli, hub, tmp_path):
    proc = push(run_cli, hub, model_folder(tmp_path/"model"), repo="demo-tweets")
    assert_one_line_error(proc, "no owner", "me/demo-tweets")
    assert "--push-to-hub" not in proc.stderr

# --- cards trained here: the repo they are pushed to, no local path, the base model's Hub id, data escaped ---

EVIL = "<img src=x onerror=alert(1)>"

@pytest.fixture(scope="module")
def stage1(tmp_path_factory):
    "A tiny GPT-2 trained on a dataset whose handle is markup, from a base laid out as the Hub's cache keeps `openai-community/gpt2`."
    from test_generate import OFFLINE, write_dataset
    from hugtweets.generate import load_tweets, train
    from hugtweets.tiny import tiny_gpt2
    root = tmp_path_factory.mktemp("stage1")
    data = write_dataset(root/"data", n=20, handles=(EVIL, "ada_`lovelace`"))
    cache = root/"hub"/"models--openai-community--gpt2"/"snapshots"/"0123abcd"
    cache.parent.mkdir(parents=True)
    tiny = tiny_gpt2(list(load_tweets(data)["train"]["text"]))
    os.symlink(tiny, cache)
    with pytest.MonkeyPatch.context() as mp:
        for k, v in OFFLINE.items(): mp.setenv(k, v)
        return data, train(data, cache, root/"out"/"model", epochs=1, lr=3e-3, n_samples=2)

def rendered(card: str) -> str:
    "The card's Markdown as HTML, the way a Markdown viewer renders it (CommonMark with tables)."
    from huggingface_hub import ModelCard
    from markdown_it import MarkdownIt
    return MarkdownIt("commonmark").enable("table").render(ModelCard(card).text)

def test_card_records_the_hub_base_and_no_local_path(stage1, tmp_path):
    from huggingface_hub import ModelCard
    from hugtweets.generate import train
    data, model = stage1
    card = (model/"README.md").read_text()
    test_root = str(model.parents[2])
    assert test_root not in card and str(Path.home()) + "/" not in card
    assert ModelCard(card).data.base_model == "openai-community/gpt2"
    assert 'model="./model"' in card and "fine-tuned from `openai-community/gpt2`" in card
    # stage 2: fine-tuned again from the stage-1 folder, the card names stage 1's own base
    os.environ.update(HUGTWEETS_OFFLINE="1", HF_HUB_OFFLINE="1")
    again = train(data, model, tmp_path/"stage2", epochs=1, lr=3e-3, n_samples=1)
    assert ModelCard.load(again/"README.md").data.base_model == "openai-community/gpt2"

def test_pushed_card_is_written_for_the_repo(run_cli, hub, stage1):
    _, model = stage1
    proc = push(run_cli, hub, model)
    assert proc.returncode == 0, proc.stderr
    files = uploaded(hub)
    card = files["README.md"].decode()
    assert 'model="me/demo-tweets"' in card and "hugtweets generate me/demo-tweets " in card and "./model" not in card
    from huggingface_hub import ModelCard
    assert ModelCard(card).data.model_name == "me/demo-tweets"   # the model-index name
    assert ".hugtweets-output" not in files and "trainer_state.json" not in files
    for name, content in files.items():        # no absolute local path in anything uploaded
        assert str(model.parents[2]).encode() not in content, name
        assert str(model).encode() not in content, name
    assert (model/"README.md").read_text().count("./model") >= 2  # the local card is left as it was

def test_card_escapes_values_from_data(stage1):
    _, model = stage1
    card = (model/"README.md").read_text()
    html = rendered(card)
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html   # shown as text, in heading, intro and tables
    assert html.count("&lt;img") >= 4
    assert "ada_`lovelace`" in html or "ada_<code>" not in html
    from huggingface_hub import ModelCard
    assert EVIL in str(ModelCard(card).data.eval_results[0].dataset_name)         # the YAML keeps the raw value, quoted

def test_classifier_card_keeps_a_backtick_label_in_its_code_span():
    import pandas as pd
    from hugtweets.learner import classifier_card, text_classifier_learner
    from hugtweets.tiny import tiny_bert
    labels = ["ok", "bad` <script>alert(1)</script> `x"]
    df = pd.DataFrame({"text": [f"text number {i}" for i in range(16)], "label": [labels[i % 2] for i in range(16)]})
    learn = text_classifier_learner(df, tiny_bert(df.text.tolist(), labels), bs=4)
    card = classifier_card(learn, metrics={"accuracy": 0.5, f"f1_{labels[1]}": 0.5})
    html = rendered(card)
    assert "<script>" not in html
    assert f"<code>{labels[1].replace('<', '&lt;').replace('>', '&gt;')}</code>" in html   # the whole label, one code span
