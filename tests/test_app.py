"""`hugtweets app` and `hugtweets space`: both apps driven through gradio_client against a local server, bad input, HTML
in the input, and nothing the user types written or logged."""
import json, os, re, shutil, signal, socket, subprocess, sys, time
from pathlib import Path
import pytest

pytest.importorskip("gradio", reason='the app tests need the [app] extra: pip install "hugtweets[app]"')
from gradio_client import Client
from gradio_client.exceptions import AppError
from hugtweets.app import build_app
from hugtweets.core import files_containing
from hugtweets.tiny import tiny_bert, tiny_gpt2
from conftest import assert_one_line_error, cli_env

CORPUS = ["the oven is warm and the bread is good", "fake news spreads fast today", "the minister opened a new bridge",
          "police say the story is a rumour", "I love baking bread on sunday"] * 8
HTML = '<script>window.hugtweetsPwned = 1</script> <img src=x onerror="window.hugtweetsPwned = 2"> bread'
CARD = """---
widget:
- text: the bread is good
- text: '{html}'
---
# A tiny classifier
"""

@pytest.fixture(scope="module")
def models(tmp_path_factory):
    "A tiny BERT classifier whose card has an example with HTML in it, and a tiny GPT-2 with a hugtweets card."
    tmp = tmp_path_factory.mktemp("models")
    bert, gpt = tiny_bert(CORPUS, ["authentic", "fake"], path=tmp/"bert"), tiny_gpt2(CORPUS, path=tmp/"gpt")
    (bert/"README.md").write_text(CARD.format(html=HTML))
    from hugtweets.model_card import model_card
    (gpt/"README.md").write_text(model_card(handles=["ada"], repo="me/ada", kept={"ada": 40}, metrics={"perplexity": 41.5},
                                            prompts=["the oven", "<b>bold"]))
    return bert, gpt

@pytest.fixture(scope="module")
def served(models):
    "Both apps on 127.0.0.1, and a gradio_client Client for each."
    bert, gpt = models
    demos = [build_app(bert, n_steps=8), build_app(gpt)]
    urls = [d.launch(prevent_thread_lock=True, server_name="127.0.0.1", quiet=True)[1] for d in demos]
    yield [Client(u, verbose=False) for u in urls]
    for d in demos: d.close()

def test_classifier_app(served):
    clf, _ = served
    label, note = clf.predict("the bread is good", api_name="/classify")
    probs = {c["label"]: c["confidence"] for c in label["confidences"]}
    assert set(probs) == {"authentic", "fake"} and abs(sum(probs.values()) - 1) < 1e-4 and label["label"] in probs
    assert note == ""
    words, head = clf.predict("the bread is good", "fake", api_name="/explain")
    assert [w["token"] for w in words if w["class_or_confidence"] is not None] == ["the", "bread", "is", "good"]
    assert max(abs(w["class_or_confidence"]) for w in words if w["class_or_confidence"] is not None) == pytest.approx(1.0)
    assert "Explaining **fake**" in head
    _, head = clf.predict("the bread is good", "the predicted label", api_name="/explain")
    assert f"Explaining **{label['label']}**" in head

@pytest.mark.parametrize("text", ["", "   \n "])
def test_empty_text_is_a_message(served, text):
    clf, _ = served
    for api in ("/classify", "/explain"):
        with pytest.raises(AppError, match="Type or paste a text first"):
            clf.predict(text, api_name=api) if api == "/classify" else clf.predict(text, "fake", api_name=api)

def test_long_text_is_cut_and_said(served):
    clf, _ = served
    text = ("the bread is good and fake news spreads " * 2600)[:100_000]  # 100 KB
    label, note = clf.predict(text, api_name="/classify")
    assert "only its first" in note and "words are classified and explained" in note, note
    words, _ = clf.predict(text, "fake", api_name="/explain")
    n = len([w for w in words if w["class_or_confidence"] is not None])
    assert 10 < n < 128, n  # the words the model read, not 15,000

def test_other_script_is_answered_with_a_note(served):
    clf, _ = served
    label, note = clf.predict("ভুয়া খবর ছড়িয়ে পড়েছে, পুলিশ বলেছে খবরটি গুজব", api_name="/classify")
    assert label["label"] in ("authentic", "fake") and "unknown to this model's vocabulary" in note

def test_html_in_the_box_stays_text(served):
    clf, gen = served
    words, _ = clf.predict(HTML, "fake", api_name="/explain")
    assert "".join(w["token"] for w in words) == " ".join(HTML.split())  # the words as typed, escaped by the component
    posts, _ = gen.predict(HTML, 2, 8, 1.0, api_name="/write")
    assert "<script>" not in posts and "<img" not in posts and posts.count("&lt;script&gt;") == 2

def test_generator_app(served):
    _, gen = served
    posts, note = gen.predict("the oven", 3, 12, 0.8, api_name="/write")
    texts = re.findall(r'<div class="hugtweets-post">(.*?)</div>', posts, flags=re.S)
    assert len(texts) == 3 and all(t.startswith("the oven") for t in texts), posts
    assert note == ""
    posts, note = gen.predict("bread " * 300, 1, 8, 1.0, api_name="/write")
    assert "last part" in note
    with pytest.raises(AppError, match="greater than maximum"):  # Gradio checks the slider's range
        gen.predict("", 500, 8, 1.0, api_name="/write")

def test_generator_shows_the_card(models):
    _, gpt = models
    config = build_app(gpt).config
    text = json.dumps(config["components"], ensure_ascii=False)
    assert "41.5" in text and "| @ada |" in text  # perplexity and the data table
    assert "the oven" in text and "<b>bold" in text  # the card's examples, as plain values

def test_wrong_model_is_a_one_line_error(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path/"empty").mkdir()
    assert_one_line_error(cli("app", tmp_path/"empty"), "not a saved model")
    assert_one_line_error(cli("app", "nobody/no-such-model-here"), "unknown model")
    assert_one_line_error(cli("space", tmp_path/"empty", "me/x", "--dry-run"), "not a saved model")
    assert_one_line_error(cli("space", "nobody/no-such-model-here", "not a repo id", "--dry-run"), "not a Hub repo id")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]  # nothing written

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def test_cli_serves_on_localhost_and_keeps_nothing(models, tmp_path):
    "`hugtweets app` listens on 127.0.0.1 only, answers, and neither writes nor logs what the user typed."
    bert, _ = models
    port, marker = _free_port(), "zebra-QUARTZ-7781 the bread"
    env = cli_env(GRADIO_TEMP_DIR=tmp_path/"gradio", HOME=tmp_path/"home")
    proc = subprocess.Popen([sys.executable, "-m", "hugtweets.cli", "app", str(bert), "--port", str(port)], cwd=tmp_path,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(240):  # up to 60 s to start
            if proc.poll() is not None: break
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.25): break
            except OSError: time.sleep(0.25)
        assert proc.poll() is None, proc.communicate()[1]
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        label, _ = client.predict(marker, api_name="/classify")
        words, _ = client.predict(marker, "fake", api_name="/explain")
        assert label["label"] in ("authentic", "fake") and words
        others = [a for a in {ip for *_, (ip, *_) in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)} if not a.startswith("127.")]
        for addr in others:  # not reachable from another interface
            with pytest.raises(OSError), socket.create_connection((addr, port), timeout=1): pass
    finally:
        proc.send_signal(signal.SIGINT)
        try: out, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill(); out, err = proc.communicate()
    assert "127.0.0.1" in out + err and "Traceback" not in err, err
    assert "zebra-QUARTZ" not in out + err
    assert files_containing(tmp_path, ["zebra-QUARTZ"]) == []

def test_space_dry_run(cli, models, tmp_path, monkeypatch):
    _, gpt = models
    monkeypatch.chdir(tmp_path)
    r = cli("space", gpt, "me/ada-tweets", "--dry-run")
    assert r.returncode == 0, r.stderr
    out = Path(r.stdout.strip().splitlines()[-1])
    assert out == Path("ada-tweets-space") and sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == \
        ["README.md", "app.py", "requirements.txt"]
    readme = (out/"README.md").read_text()
    for line in ("sdk: gradio", "app_file: app.py", "suggested_hardware: cpu-basic", "- me/ada-tweets"): assert line in readme
    assert cli("space", gpt, "me/ada-tweets", "--dry-run").returncode == 1  # refused: it exists
    assert cli("space", gpt, "me/ada-tweets", "--dry-run", "--force").returncode == 0

def test_space_push_needs_a_token(cli, models, tmp_path, monkeypatch):
    _, gpt = models
    monkeypatch.chdir(tmp_path)
    from huggingface_hub import constants
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path/"token"))  # no stored login either
    r = cli("space", gpt, "me/ada-tweets")
    assert_one_line_error(r, "no Hugging Face token")
    assert not Path("ada-tweets-space").exists()  # nothing written before the token check

def _wait_for_port(proc, port, seconds=90):
    "Wait until `port` on 127.0.0.1 accepts connections, or `proc` ends; bounded."
    for _ in range(seconds * 4):
        if proc.poll() is not None: return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.25): return True
        except OSError: time.sleep(0.25)
    return False

def test_space_pushed_to_a_local_hub_answers(cli, models, tmp_path, monkeypatch):
    "`hugtweets space` pushes the Space to a local Hub and links it from the model's card; its app.py, run as the Hub runs it, loads the model from that Hub and answers."
    from huggingface_hub import constants
    from local_hub import LocalHub
    bert, _ = models
    monkeypatch.chdir(tmp_path)
    with LocalHub(tmp_path/"hub") as hub:
        repo = hub.repo_dir("me/tiny-classifier")
        repo.parent.mkdir(parents=True)
        shutil.copytree(bert, repo)  # the model, as `hugtweets push` leaves it on the Hub
        for k, v in {"HF_TOKEN": "hf_local_test_token", "HF_ENDPOINT": hub.url, "HF_HUB_OFFLINE": "0", "HUGTWEETS_OFFLINE": "0"}.items():
            monkeypatch.setenv(k, v)
        monkeypatch.setattr(constants, "ENDPOINT", hub.url)
        monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
        monkeypatch.setattr(constants, "HUGGINGFACE_CO_URL_TEMPLATE", hub.url + "/{repo_id}/resolve/{revision}/{filename}")
        r = cli("space", bert, "me/tiny-classifier")
        assert r.returncode == 0, r.stderr
        assert "pushed to https://huggingface.co/spaces/me/tiny-classifier" in r.stdout
        space = hub.repo_dir("me/tiny-classifier", "spaces")
        assert sorted(hub.files(space)) == ["README.md", "app.py", "requirements.txt"]
        assert "spaces/me/tiny-classifier" in (repo/"README.md").read_text()  # the card links the Space
        port = _free_port()
        env = cli_env(HF_ENDPOINT=hub.url, HF_HUB_OFFLINE="0", TRANSFORMERS_OFFLINE="0", HUGTWEETS_OFFLINE="0",
                      HF_HOME=tmp_path/"hf", GRADIO_SERVER_PORT=port, GRADIO_SERVER_NAME="127.0.0.1", GRADIO_TEMP_DIR=tmp_path/"gradio")
        proc = subprocess.Popen([sys.executable, "app.py"], cwd=space, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert _wait_for_port(proc, port), proc.communicate(timeout=30)[1] if proc.poll() is not None else "no server"
            label, _ = Client(f"http://127.0.0.1:{port}/", verbose=False).predict("the bread is good", api_name="/classify")
            assert label["label"] in ("authentic", "fake")
        finally:
            proc.terminate()
            try: proc.communicate(timeout=30)
            except subprocess.TimeoutExpired: proc.kill(); proc.communicate()
        assert any("/me/tiny-classifier/resolve/" in path for path, _ in hub.calls)  # loaded from the Hub

def test_four_users_at_once(served):
    "Classifications and explanations from 4 clients at once all answer: integrated gradients' hooks never meet a classification."
    from concurrent.futures import ThreadPoolExecutor
    url = served[0].src
    def user(i):
        c = Client(url, verbose=False)
        return [c.predict(f"the bread is good {i} {j}", api_name="/classify")[0]["label"] if j % 2 else
                c.predict(f"the bread is good {i} {j}", "fake", api_name="/explain")[1] for j in range(4)]
    with ThreadPoolExecutor(4) as pool: answers = [a for u in pool.map(user, range(4)) for a in u]
    assert len(answers) == 16 and all(a in ("authentic", "fake") or a.startswith("Explaining") for a in answers), answers

def test_classifier_is_safe_across_threads(models):
    "Gradio answers from several threads: a classification during an explanation (whose hooks sit on the embeddings) must not break."
    import threading
    from hugtweets.app import Classifier
    clf, errors = Classifier(models[0], n_steps=20), []
    def run(f, n):
        for _ in range(n):
            try: f()
            except Exception as e: errors.append(repr(e))
    threads = [threading.Thread(target=run, args=(lambda: clf.explain("the bread is good " * 6), 3))] + \
              [threading.Thread(target=run, args=(lambda: clf.probabilities("fake news spreads"), 60)) for _ in range(2)]
    for t in threads: t.start()
    for t in threads: t.join()
    assert errors == []

def test_no_network_call(models, monkeypatch):
    "Building, serving and using the app connects to 127.0.0.1 only (Gradio's usage statistics are off)."
    import ipaddress
    seen, connect = [], socket.socket.connect
    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else str(address)
        try: local = ipaddress.ip_address(host).is_loopback
        except ValueError: local = host == "localhost"
        if not local: seen.append(host); raise OSError(f"network call to {host} in a test")
        return connect(self, address)
    monkeypatch.setattr(socket.socket, "connect", guarded)
    demo = build_app(models[0], n_steps=8)
    url = demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", quiet=True)[1]
    try: Client(url, verbose=False).predict("the bread is good", api_name="/classify")
    finally: demo.close()
    time.sleep(1)  # a background thread would have tried by now
    assert seen == []
