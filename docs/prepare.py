"""Build steps for the docs site, README.md and the PyPI description, called by docs/build.sh.

nbdev 3 hands its processed notebooks to Quarto. Quarto cannot be installed here, so this does the part of
Quarto's job that MkDocs needs, and publishes each page where nbdev's links point (`01_tweets.ipynb` ->
`tweets.html`, the name `nbdev.config.nbpath2html` gives), so that nbdev's cross-references, the modules'
`Docs:` URLs and `llms.txt` all land on a page of the site.

    python docs/prepare.py proc                 # nbs/ -> _proc/ with nbdev's processors (show_doc, hidden cells)
    python docs/prepare.py site _proc           # _proc/ -> pages MkDocs renders, nav, README.md, docs/PYPI.md
    python docs/prepare.py markdown _proc _site # the `<page>.html.md` copies that Docs: URLs and llms.txt name
"""
import html, re, sys
from pathlib import Path
import nbformat, yaml
from nbconvert import MarkdownExporter

ROOT = Path(__file__).resolve().parent.parent
SITE_URL = "https://hugtweets.github.io/hugtweets/"
REPO_URL = "https://github.com/hugtweets/hugtweets"
# The site serves its own Colab badge (docs/colab-badge.svg), so its pages load nothing from other hosts.
COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"

# ---------------------------------------------------------------------------------------------------------------
# Step 1: nbdev's processing, where a page keeps the outputs of the one run that is stored in the notebook.

def proc(nbs="nbs"):
    """Run nbdev's notebook processors (show_doc, hidden cells, cross-references) into _proc/.

    nbdev executes every cell that imports something, so that `show_doc` can see the objects, and stores what that
    run printed. The docs environment is not the one the author ran (no GPU, no optional extras), so a page would mix
    two runs: "transformers-interpret is not installed" printed above transformers-interpret's own view. The cells
    still run here, but every cell other than a `show_doc` keeps the outputs saved in the notebook."""
    from nbdev import processors
    from nbdev.serve import proc_nbs
    run = processors.exec_show_docs.__call__
    def keep_saved_outputs(self, cell):
        plain = cell.cell_type == "code" and not processors._is_showdoc(cell) and not (
            cell.directives_.keys() & {"export", "exports", "exporti", "exec_doc"})
        saved = cell.get("outputs") if plain else None
        try: res = run(self, cell)
        except Exception as e:
            # A test cell that nbdev runs only because it imports something may need the cells before it, which the
            # docs build does not run. nbdev-test runs the notebook in order; here the page keeps the saved outputs.
            if not plain: raise
            self.k.exc = None
            print(f"docs: {self.nb.path_ if hasattr(self.nb, 'path_') else 'a notebook'}: a test cell with an import "
                  f"failed out of order and was skipped ({type(e.__cause__ or e).__name__})", file=sys.stderr)
            res = None
        if saved is not None: cell["outputs"] = saved
        return res
    processors.exec_show_docs.__call__ = keep_saved_outputs
    proc_nbs(nbs, n_workers=0, force=True)  # in this process, so the patch above applies

# ---------------------------------------------------------------------------------------------------------------
# Step 2: processed notebooks -> MkDocs pages.

_directive = re.compile(r"^\s*#\|\s*([\w-]+)\s*:?\s*(.*)$")
_quarto_attrs = re.compile(r"(\]\([^)]*\))\{[^}]*\}")
_nb_link = re.compile(r"\]\((?!https?:)(\d+[a-zA-Z0-9]*_[\w-]+|index)\.ipynb(#[^)]*)?\)")

def page_name(nb_name: str) -> str:
    "The page nbdev links to for a notebook: `01_tweets` -> `tweets` (nbdev.config.nbpath2html)."
    from nbdev.config import nbpath2html
    return nbpath2html(Path(nb_name + ".ipynb")).stem

def _front_matter(nb):
    "Pop the Quarto front-matter raw cell and return it as a dict."
    for i, c in enumerate(nb.cells):
        if c.cell_type == "raw" and c.source.lstrip().startswith("---"):
            nb.cells.pop(i)
            return yaml.safe_load(c.source.strip().strip("-")) or {}
    return {}

def summary(src: Path):
    "The notebook's title and its whole `>` summary (nbdev's front matter keeps only the first `>` line)."
    if not src.exists(): return None, None
    for c in nbformat.read(src, as_version=4).cells:
        if c.cell_type == "markdown" and c.source.lstrip().startswith("# "):
            lines = c.source.strip().splitlines()
            quote = [l.lstrip(">").strip() for l in lines[1:] if l.startswith(">")]
            return lines[0][2:].strip(), " ".join(quote) or None
    return None, None

def _title_cell(fm):
    "A markdown cell with the page title and its summary."
    text = f"# {fm['title']}" if fm.get("title") else ""
    if fm.get("description"): text += f"\n\n> {fm['description']}"
    return nbformat.v4.new_markdown_cell(text)

def _clean_code_cell(c):
    "Drop directive lines; tag cells whose input Quarto would hide."
    lines, dirs = [], {}
    for line in c.source.splitlines():
        m = _directive.match(line)
        if m: dirs[m.group(1)] = m.group(2)
        else: lines.append(line)
    c.source = "\n".join(lines).strip("\n")
    if dirs.get("echo") == "false": c.metadata.setdefault("tags", []).append("hide")
    for k in [k for k in c if k not in ("cell_type", "execution_count", "id", "metadata", "outputs", "source")]: del c[k]
    c.metadata.pop("execution", None)

def site_links(md: str) -> str:
    "Links as the site needs them: nbdev's absolute cross-references made relative, notebook links made page links."
    md = md.replace(SITE_URL, "").replace(COLAB_BADGE, "colab-badge.svg")
    return _nb_link.sub(lambda m: f"]({page_name(m.group(1))}.html{m.group(2) or ''})", md)

_heading = re.compile(r"^(#{1,6}\s.*)$", re.MULTILINE)

def code_in_headings(md: str) -> str:
    r"""Inline code in headings as `<code>`: mkdocs-jupyter deletes backtick spans before it builds the table of
    contents, so `## Scaling out with \`accelerate\`` got the anchor `#scaling-out-with` in the TOC and another on the page."""
    def one(m): return re.sub(r"`([^`\n]+)`", lambda c: "<code>" + html.escape(c.group(1)) + "</code>", m.group(1))
    return _heading.sub(one, md)

def dollars(md: str) -> str:
    "Prices are not math: `$0.005 ... $16` would render as one LaTeX span (and eat the bold around it)."
    parts = re.split(r"(```.*?```|`[^`\n]*`)", md, flags=re.DOTALL)  # code keeps its dollars
    return "".join(p if i % 2 else re.sub(r"(?<![\\$])\$(?=\d)", r"\\$", p) for i, p in enumerate(parts))

def _fix_markdown_outputs(c):
    "show_doc's markdown: no Quarto `{target=...}` blocks (MkDocs prints them), no `NoneType=None`, site links."
    for o in c.get("outputs", []):
        md = o.get("data", {}).get("text/markdown")
        if md is None: continue
        md = md if isinstance(md, str) else "".join(md)
        md = _quarto_attrs.sub(r"\1", md)
        md = re.sub(r"\s*:\s*NoneType\s*=\s*None", "=None", md)
        o["data"]["text/markdown"] = code_in_headings(site_links(md))

def _clone_only(c) -> bool:
    "A cell for people working in a clone of the repository (marked with an HTML comment, which nbdev-clean keeps)."
    return c.cell_type == "markdown" and c.source.lstrip().startswith("<!-- clone-only")

def _move_repo_commands(nb):
    "On the site, the repository commands (cells marked `<!-- clone-only`) go under Contributing, not at the top."
    moved = [c for c in nb.cells if _clone_only(c)]
    rest = [c for c in nb.cells if c not in moved]
    at = next((i + 1 for i, c in enumerate(rest) if c.cell_type == "markdown" and c.source.startswith("## Contributing")), len(rest))
    nb.cells = rest[:at] + moved + rest[at:]

def prepare(path: Path, src: Path):
    "Rewrite one processed notebook for MkDocs and return its new path (`<page>.ipynb`) and title."
    nb = nbformat.read(path, as_version=4)
    fm = _front_matter(nb)
    title, desc = summary(src)
    if desc: fm["description"] = desc
    if title and not fm.get("title"): fm["title"] = title
    for c in nb.cells:
        if c.cell_type == "code": _clean_code_cell(c); _fix_markdown_outputs(c)
        elif c.cell_type == "markdown": c.source = dollars(code_in_headings(site_links(c.source)))
    nb.cells = [c for c in nb.cells if c.source.strip() or c.get("outputs")]
    if fm: nb.cells.insert(0, _title_cell(fm))
    if path.stem == "index": _move_repo_commands(nb)
    nbformat.validate(nb)
    dest = path.with_name(page_name(path.stem) + ".ipynb")
    nbformat.write(nb, dest)
    if dest != path: path.unlink()
    return dest, fm.get("title") or path.stem

def _slug(text: str) -> str:
    "The id mkdocs-jupyter gives a heading with this text."
    from mkdocs_jupyter.utils import slugify
    from nbconvert.filters.strings import _convert_header_id
    return _convert_header_id(slugify(text))

def _heading_text(line: str) -> str:
    t = re.sub(r"\]\([^)]*\)", "]", line.lstrip("#").strip())
    return re.sub(r"<[^>]+>|[`\[\]]", "", t)

def _markdowns(nb):
    "Every markdown text of a notebook: its markdown cells and its markdown outputs (show_doc), with setters."
    for c in nb.cells:
        if c.cell_type == "markdown": yield c.source, (lambda v, c=c: setattr(c, "source", v))
        for o in c.get("outputs", []):
            if "text/markdown" in o.get("data", {}):
                yield o["data"]["text/markdown"], (lambda v, o=o: o["data"].__setitem__("text/markdown", v))

def anchors(nb) -> set:
    "The heading ids a page will have (and the `_1` anchors `unique_anchors` adds)."
    return {m for md, _ in _markdowns(nb) for m in re.findall(r'<a id="([^"]+)"></a>', md)} | {_slug(_heading_text(m.group(1))) for md, _ in _markdowns(nb) for m in _heading.finditer(md)}

def unique_anchors(nb):
    """A heading text used twice on a page gets one id on the page (nbconvert) but `words_1` in the table of contents
    (Python-Markdown): put an anchor with the TOC's id before each repeat."""
    seen = {}
    for md, put in list(_markdowns(nb)):
        def one(m):
            slug = _slug(_heading_text(m.group(1)))
            n = seen[slug] = seen.get(slug, -1) + 1
            return f'<a id="{slug}_{n}"></a>\n\n{m.group(1)}' if n else m.group(1)
        put(_heading.sub(one, md))

def fix_symbol_anchors(paths):
    """nbdev links every symbol to `page.html#symbol`, but a method or a patched function without a `show_doc` of its
    own has no heading there: link to its class's heading (`#xclient` for `XClient.pages`), or to the page."""
    nbs = {p.name.replace(".ipynb", ".html"): nbformat.read(p, as_version=4) for p in paths}
    ids = {page: anchors(nb) for page, nb in nbs.items()}
    def fix(m):
        page, frag = m.group(1), m.group(2)
        if page not in ids or frag in ids[page]: return m.group(0)
        for cand in (_slug(frag), frag.rsplit(".", 1)[0]):
            if cand in ids[page]: return f"]({page}#{cand})"
        return f"]({page})"
    for (page, nb), p in zip(nbs.items(), paths):
        unique_anchors(nb)
        for md, put in _markdowns(nb): put(re.sub(r"\]\(([\w-]+\.html)#([^)\s]+)\)", fix, md))
        nbformat.write(nb, p)

# The course's parts, by a lesson's first digit; notebooks 00*, 8x and 9x (and any name without a number) are the
# library's reference. A notebook added later lands in its part, or in the reference, without editing this file.
PARTS = {"0": "Tweets and fastai", "1": "Bangla fake news", "2": "Spanish domains"}

def lesson_names() -> dict:
    "`{notebook name: lesson name}` from the lessons table of nbs/index.ipynb."
    cells = nbformat.read(ROOT/"nbs"/"index.ipynb", as_version=4).cells
    return {stem: name for c in cells for _, name, stem in re.findall(r"^\| (\d\d) \| \[([^\]]+)\]\(([\w-]+)\.ipynb\)", c.source, re.M)}

def nav(pages):
    "MkDocs nav laid out as a course: home, the lessons in order with their companions, then the library reference."
    names = lesson_names()
    wrong = {n: (names[n], pages[n][1]) for n in names if n in pages and names[n] != pages[n][1]}
    if wrong: raise SystemExit(f"docs: a lesson has two names (lessons table, page title): {wrong}; give it one")
    parts, ref = {}, []
    for nb_name, (page, title) in sorted(pages.items()):
        if nb_name == "index": continue
        m = re.match(r"(\d)(\d)[a-z]?_", nb_name)
        entry = {f"{nb_name.split('_')[0]} · {title}" if m else title: page}
        if not m or nb_name.startswith("00") or m.group(1) in "89": ref.append(entry)
        else: parts.setdefault(PARTS.get(m.group(1), "More lessons"), []).append(entry)
    return [{"Home": "index.ipynb"}, *({k: v} for k, v in parts.items()), {"Library reference": ref}]

def write_config(pages, dest: Path):
    "docs/mkdocs.gen.yml: docs/mkdocs.yml plus the nav of the notebooks found in this build."
    dest.write_text("# generated by docs/prepare.py: edit docs/mkdocs.yml\nINHERIT: mkdocs.yml\n"
                    + yaml.safe_dump({"nav": nav(pages)}, allow_unicode=True, sort_keys=False), encoding="utf-8")

# ---------------------------------------------------------------------------------------------------------------
# README.md (the repository's front page) and docs/PYPI.md (the package's page on PyPI), from the index notebook.

def _markdown(nb) -> str:
    body, _ = MarkdownExporter().from_notebook_node(nb)
    body = body.replace("<!-- WARNING: THIS FILE WAS AUTOGENERATED! DO NOT EDIT! -->", "")
    return re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"

def readme(index: Path, dest: Path):
    "README.md: the repository commands at the top, lesson links into nbs/."
    nb = nbformat.read(index, as_version=4)
    body = re.sub(r"\]\((?!https?:)([\w-]+\.ipynb)\)", r"](nbs/\1)", _markdown(nb))
    header = "<!-- generated from nbs/index.ipynb by docs/build.sh: edit the notebook, not this file -->\n"
    dest.write_text(header + body, encoding="utf-8")

_rel_link = re.compile(r"\]\((?!https?://)([^)]*)\)|(?:href|src)=\"(?!https?://)([^\"]*)\"")

def relative_links(md: str):
    "Every link in `md` that is not an absolute http(s) URL."
    return [a or b for a, b in _rel_link.findall(md)]

def pypi(index: Path, dest: Path):
    "docs/PYPI.md: the index for pip users: no repository commands, every link absolute (the docs site, Colab, GitHub)."
    nb = nbformat.read(index, as_version=4)
    cells = []
    for c in nb.cells:
        if _clone_only(c): continue
        if c.cell_type == "markdown" and c.source.startswith("## Contributing"):
            c = nbformat.v4.new_markdown_cell(f"## Contributing\n\nThe source, the notebooks and how to work on them: [{REPO_URL}]({REPO_URL}).")
        cells.append(c)
    nb.cells = cells
    body = _markdown(nb)
    body = _nb_link.sub(lambda m: f"]({SITE_URL}{page_name(m.group(1))}.html{m.group(2) or ''})", body)
    bad = relative_links(body)
    if bad: raise SystemExit(f"docs/PYPI.md would have relative links, which break on PyPI: {bad}")
    header = "<!-- generated from nbs/index.ipynb by docs/build.sh for the package's PyPI page: edit the notebook -->\n"
    dest.write_text(header + body, encoding="utf-8")

# ---------------------------------------------------------------------------------------------------------------

def site(proc_dir: Path):
    pages = {}
    for p in sorted(proc_dir.glob("*.ipynb")):
        dest, title = prepare(p, ROOT / "nbs" / p.name)
        pages[p.stem] = (dest.name, title)
    fix_symbol_anchors([proc_dir / page for page, _ in pages.values()])
    write_config(pages, ROOT / "docs" / "mkdocs.gen.yml")
    # README and PyPI page come from the index as written (links to notebooks), not from the site's page.
    index = ROOT / "nbs" / "index.ipynb"
    tmp = proc_dir / "_index_for_readme.ipynb"
    nb = nbformat.read(index, as_version=4)
    nb.cells = [c for c in nb.cells if c.cell_type != "raw"]
    nbformat.write(nb, tmp)
    try:
        readme(tmp, ROOT / "README.md")
        pypi(tmp, ROOT / "docs" / "PYPI.md")
    finally: tmp.unlink()

def markdown(proc_dir: Path, site_dir: Path):
    "Write `<page>.html.md` beside each page: the URL nbdev puts in the modules' `Docs:` lines and in llms.txt."
    for p in sorted(proc_dir.glob("*.ipynb")):
        body = _markdown(nbformat.read(p, as_version=4))
        (site_dir / f"{p.stem}.html.md").write_text(body, encoding="utf-8")

if __name__ == "__main__":
    cmd, *args = sys.argv[1:]
    if cmd == "proc": proc(*args)
    elif cmd == "site": site(Path(args[0]))
    elif cmd == "markdown": markdown(Path(args[0]), Path(args[1]))
    else: raise SystemExit(f"unknown step {cmd!r}")
