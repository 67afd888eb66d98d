"""Check every internal link and anchor of the built site; exit 1 on any broken one.

    python docs/linkcheck.py _site

Internal means relative, or under the site's own URL (nbdev's cross-references, the modules' `Docs:` URLs and
llms.txt name pages by their published address). For each link: the target file exists, and when the link has a
`#fragment` into an HTML page, an element of the page has that id. External links are not fetched.
"""
import re, sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit, unquote

SITE_URL = "https://hugtweets.github.io/hugtweets/"

class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.links = set(), []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k in ("id", "name") if tag == "a" else ("id",):
            if a.get(k): self.ids.add(a[k])
        for k in ("href", "src"):
            if a.get(k) and not (tag == "link" and "alternate" in (a.get("rel") or "")): self.links.append(a[k])

def _parse(path: Path):
    p = _Page(); p.feed(path.read_text(encoding="utf-8", errors="replace")); return p

def _target(site: Path, base: Path, link: str):
    "The file a link points to inside the site, with its fragment; None for external links."
    if link.startswith(SITE_URL): link = link[len(SITE_URL):]; base = site / "index.html"
    u = urlsplit(link)
    if u.scheme or u.netloc or link.startswith(("mailto:", "javascript:", "data:")): return None
    path = unquote(u.path)
    root = urlsplit(SITE_URL).path  # 404.html links from the root of the published site: /hugtweets/...
    if path.startswith(root): path = "/" + path[len(root):]
    if not path: return base, u.fragment
    t = (site / path.lstrip("/")) if path.startswith("/") else (base.parent / path)
    t = Path(*[x for x in t.parts]).resolve()
    if t.is_dir() or path.endswith("/"): t = t / "index.html"
    return t, u.fragment

def check(site: Path):
    site = site.resolve()
    pages = {p.resolve(): _parse(p) for p in site.rglob("*.html")}
    broken, n = [], 0
    def one(src, base, link):
        nonlocal n
        t = _target(site, base, link)
        if t is None: return
        n += 1
        path, frag = t
        if site not in path.parents and path != site: broken.append(f"{src}: {link} (outside the site)")
        elif not path.exists(): broken.append(f"{src}: {link} (no such file)")
        elif frag and path.suffix == ".html" and frag not in pages[path].ids: broken.append(f"{src}: {link} (no anchor #{frag})")
    for page, parsed in sorted(pages.items()):
        # 404.html is served at any depth, so MkDocs gives it root-absolute links; check it from the root
        for link in parsed.links: one(page.relative_to(site), site / "index.html" if page.name == "404.html" else page, link)
    # The addresses nbdev writes outside the site: llms.txt, and the `Docs:` line of every module docstring.
    texts = [site / "llms.txt", *sorted((site.parent / "hugtweets").glob("*.py"))]
    for f in texts:
        if not f.exists(): continue
        for link in re.findall(re.escape(SITE_URL) + r"[^\s)\"'>]*", f.read_text(encoding="utf-8")):
            one(f.name, site / "index.html", link)
    return n, broken

if __name__ == "__main__":
    n, broken = check(Path(sys.argv[1] if len(sys.argv) > 1 else "_site"))
    for b in broken: print("broken link:", b)
    print(f"linkcheck: {n} internal links and anchors checked, {len(broken)} broken")
    sys.exit(1 if broken else 0)
