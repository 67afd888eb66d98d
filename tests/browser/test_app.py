"""Both apps of `hugtweets app` in a real browser: Debian's chromium, driven by Selenium through chromium-driver.

Run by .ci/run (`HUGTWEETS_BROWSER_TEST=1 pytest tests/browser`); the plain test run skips it. A reader types a text,
presses the button and reads the labels, the highlighted words and the posts; HTML typed in the box or sitting in an
example is shown as text and never runs. With HUGTWEETS_SCREENSHOTS=DIR, the screenshots are saved there.
"""
import os
from pathlib import Path
import pytest

if os.environ.get("HUGTWEETS_BROWSER_TEST") != "1":
    pytest.skip("the browser tests run from .ci/run (HUGTWEETS_BROWSER_TEST=1)", allow_module_level=True)
pytest.importorskip("gradio", reason='the app needs the [app] extra: pip install "hugtweets[app]"')

from headless import chromium
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from hugtweets.app import _CSS, build_app
from hugtweets.model_card import model_card
from hugtweets.tiny import tiny_bert, tiny_gpt2

CORPUS = ["the oven is warm and the bread is good", "fake news spreads fast today", "the minister opened a new bridge",
          "police say the story is a rumour", "I love baking bread on sunday"] * 8
HTML = '<script>window.hugtweetsPwned = 1</script> <img src=x onerror="window.hugtweetsPwned = 2"> bread'

@pytest.fixture(scope="module")
def urls(tmp_path_factory):
    "The classifier app (an example with HTML in its card) and the tweet app, served on 127.0.0.1."
    tmp = tmp_path_factory.mktemp("models")
    bert, gpt = tiny_bert(CORPUS, ["authentic", "fake"], path=tmp/"bert"), tiny_gpt2(CORPUS, path=tmp/"gpt")
    (bert/"README.md").write_text(f"---\nwidget:\n- text: the bread is good\n- text: '{HTML}'\n---\n# A tiny classifier\n")
    (gpt/"README.md").write_text(model_card(handles=["ada"], repo="me/ada", kept={"ada": 40}, metrics={"perplexity": 41.5},
                                            prompts=["the oven"]))
    demos = [build_app(bert, n_steps=8), build_app(gpt)]
    yield [d.launch(prevent_thread_lock=True, server_name="127.0.0.1", quiet=True, css=_CSS)[1] for d in demos]
    for d in demos: d.close()

@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    d = chromium(tmp_path_factory.mktemp("chromium"), 900)
    yield d
    d.quit()

def _open(browser, url):
    browser.get(url)
    return WebDriverWait(browser, 30).until(lambda d: d.find_element(By.CSS_SELECTOR, "#text textarea, #prompt textarea"))

def _text(browser, css) -> str: return browser.find_element(By.CSS_SELECTOR, css).text

def _shot(browser, name):
    if out := os.environ.get("HUGTWEETS_SCREENSHOTS"):
        Path(out).mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(Path(out)/f"{name}.png"))

def _pwned(browser): return browser.execute_script("return window.hugtweetsPwned === undefined ? null : window.hugtweetsPwned")

def test_classifier_in_the_browser(browser, urls):
    box = _open(browser, urls[0])
    box.send_keys("the bread is good and the oven is warm")
    browser.find_element(By.CSS_SELECTOR, "#classify").click()
    WebDriverWait(browser, 30).until(lambda d: "authentic" in _text(d, "#label") and "fake" in _text(d, "#label"))
    WebDriverWait(browser, 60).until(lambda d: "Explaining" in _text(d, "#explained"))
    words = _text(browser, "#words")
    for w in ("bread", "good", "oven", "warm"): assert w in words, words
    coloured = browser.execute_script(
        "return [...document.querySelectorAll('#words *')].filter(e => e.children.length === 0 && e.textContent.trim()"
        " && getComputedStyle(e.closest('[style*=background], .textspan') || e).backgroundColor !== 'rgba(0, 0, 0, 0)').length")
    assert coloured >= 4, coloured
    _shot(browser, "classifier")

def test_html_in_the_box_and_the_examples_stays_text(browser, urls):
    box = _open(browser, urls[0])
    box.send_keys(HTML)
    browser.find_element(By.CSS_SELECTOR, "#classify").click()
    WebDriverWait(browser, 60).until(lambda d: "Explaining" in _text(d, "#explained"))
    assert " ".join(HTML.split()) in " ".join(_text(browser, "#words").split()) and _pwned(browser) is None  # the words, as text
    example = WebDriverWait(browser, 10).until(lambda d: next((e for e in d.find_elements(By.CSS_SELECTOR, "table td, .gallery-item, button")
                                                                 if "<img src=x" in e.text), None))
    assert "<script>" in example.text and _pwned(browser) is None  # the example is listed as text
    example.click()
    WebDriverWait(browser, 10).until(lambda d: "<img src=x" in d.find_element(By.CSS_SELECTOR, "#text textarea").get_attribute("value"))
    assert _pwned(browser) is None

def test_tweet_writer_in_the_browser(browser, urls):
    box = _open(browser, urls[1])
    assert "41.5" in _text(browser, "#about") and "@ada" in _text(browser, "#about")  # perplexity and data table
    box.send_keys("<b>the oven")
    browser.find_element(By.CSS_SELECTOR, "#write").click()
    WebDriverWait(browser, 60).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#posts .hugtweets-post")) == 5)
    posts = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#posts .hugtweets-post")]
    assert all(p.startswith("<b>the oven") for p in posts), posts  # the tag is text, not bold
    assert not browser.find_elements(By.CSS_SELECTOR, "#posts b")
    _shot(browser, "tweet-writer")
