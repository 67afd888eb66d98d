"""The built docs site in a real browser: Debian's chromium, driven by Selenium through chromium-driver.

Run by .ci/run after docs/build.sh (`HUGTWEETS_BROWSER_TEST=1 pytest tests/browser`); the plain test run skips it,
since it needs the built site and a browser. Every page of _site/ is opened from a server on 127.0.0.1 and must
log no console error and load every image; the search finds a public function; a lesson link on the home page
lands on that lesson.
"""
import functools, http.server, os, threading
from pathlib import Path
import pytest

SITE = Path(__file__).resolve().parents[2]/"_site"
if os.environ.get("HUGTWEETS_BROWSER_TEST") != "1":
    pytest.skip("the browser test runs from .ci/run after docs/build.sh (HUGTWEETS_BROWSER_TEST=1)", allow_module_level=True)
if not (SITE/"index.html").exists(): pytest.fail("no built site: run `bash docs/build.sh` first")

from headless import chromium
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

PAGES = sorted(p.name for p in SITE.glob("*.html"))

PREFIX = "/hugtweets/"  # where the site is published (site_url): 404.html links from there

# The one request to another host the site makes: the theme's repository widget asks GitHub's API for the repository's
# stars and latest release. The browser reaches no host but 127.0.0.1, so it always fails, and only it may.
ALLOWED_FAILURES = ("https://api.github.com/repos/hugtweets/hugtweets",)

@pytest.fixture(scope="module")
def base_url():
    class Site(http.server.SimpleHTTPRequestHandler):
        def translate_path(self, path):
            return super().translate_path("/" + path[len(PREFIX):] if path.startswith(PREFIX) else "/__outside_the_site__")
        def log_message(self, *a): pass
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Site, directory=str(SITE)))
    t = threading.Thread(target=srv.serve_forever, daemon=True); t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}{PREFIX}"
    srv.shutdown(); srv.server_close()

@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    d = chromium(tmp_path_factory.mktemp("chromium"), 1000, log=True)
    yield d
    d.quit()

def _load(browser, url):
    browser.get(url)
    WebDriverWait(browser, 20).until(lambda d: d.execute_script("return document.readyState") == "complete")

_IMAGES = """
const imgs = [...document.images];
imgs.forEach(i => { i.loading = "eager"; });
await Promise.all(imgs.map(i => i.complete ? null : new Promise(r => { i.onload = i.onerror = r; setTimeout(r, 10000); })));
return imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.currentSrc || i.src);
"""

def test_every_page_loads_cleanly(browser, base_url):
    "Each page: no console error, every image loaded."
    assert len(PAGES) >= 15, PAGES
    problems = []
    for page in PAGES:
        _load(browser, base_url + page)
        broken = browser.execute_script(_IMAGES.replace("await ", "return (async () => { await ", 1).rstrip() + " })();")
        errors = [l["message"] for l in browser.get_log("browser")
                  if l["level"] == "SEVERE" and not l["message"].startswith(ALLOWED_FAILURES)]
        problems += [f"{page}: image not loaded: {src}" for src in broken] + [f"{page}: console: {m}" for m in errors]
    assert not problems, "\n".join(problems)

def test_search_finds_a_public_function(browser, base_url):
    _load(browser, base_url + "index.html")
    browser.find_element(By.CSS_SELECTOR, "label.md-search__icon, .md-search__input").click()
    box = browser.find_element(By.CSS_SELECTOR, "input.md-search__input")
    WebDriverWait(browser, 10).until(lambda d: box.is_displayed())
    box.send_keys("clean_text")
    hrefs = lambda d: d.execute_script("return [...document.querySelectorAll('.md-search-result__item a')].map(a => a.href)")
    try: WebDriverWait(browser, 20).until(lambda d: any(h.endswith("/tweets.html#clean_text") for h in hrefs(d)))
    except TimeoutException: pytest.fail(f"searching clean_text did not offer tweets.html#clean_text: {hrefs(browser)}")

def test_lesson_link_on_home_page_lands_on_the_lesson(browser, base_url):
    _load(browser, base_url + "index.html")
    link = browser.find_element(By.CSS_SELECTOR, "article td a[href$='/tweets.html']")  # the theme makes hrefs absolute
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
    link.click()
    WebDriverWait(browser, 20).until(lambda d: d.current_url.endswith("/tweets.html"))
    h1 = WebDriverWait(browser, 20).until(lambda d: d.find_element(By.CSS_SELECTOR, "article h1"))
    assert h1.text.startswith("Tweets"), h1.text
