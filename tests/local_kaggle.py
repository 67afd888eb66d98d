"""A Kaggle stand-in on 127.0.0.1 that serves BanFakeNews-shaped files the way `kagglehub.dataset_download` fetches them.

kagglehub talks to Kaggle through kagglesdk, which takes its endpoint from `KAGGLE_API_ENVIRONMENT`; `TEST` points it
at http://localhost:7777, so the stand-in listens there (set `KAGGLE_USERNAME`/`KAGGLE_KEY` to anything). It answers
the two calls a dataset download makes, in kagglesdk's RPC form (POST /api/v1/<service>/<method>, JSON in and out):
`datasets.DatasetApiService/GetDataset` (the current version) and `.../DownloadDataset` (the whole dataset as one zip).

    with LocalKaggle() as kaggle: ...          # serves {"cryptexcode/banfakenews": the bundled sample's CSVs}
    python tests/local_kaggle.py [--port 7777] # until killed; prints its URL
"""
from __future__ import annotations
import argparse, io, json, time, zipfile
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from local_hub import LocalServer

PORT = 7777  # kagglesdk's KaggleEnv.TEST endpoint

def banfakenews_folder() -> Path:
    "BanFakeNews-shaped CSVs (Kaggle's four file names and columns, a few hundred rows): the sample bundled with hugtweets."
    from hugtweets.samples import sample_banfakenews
    return Path(sample_banfakenews())

class LocalKaggle(LocalServer):
    "Serve `datasets` ({'owner/slug': folder}) on 127.0.0.1:`port`; a context manager, or `start()`/`stop()`."
    def __init__(self, datasets: dict | None = None, port: int = PORT):
        super().__init__(port)
        self.datasets = datasets if datasets is not None else {"cryptexcode/banfakenews": banfakenews_folder()}
        self.calls, self.handler = [], _Handler

    @property
    def url(self) -> str: return f"http://localhost:{self._server.server_address[1]}"  # the name kagglesdk uses

def _zip(folder: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(p for p in folder.rglob("*") if p.is_file()): z.write(f, f.relative_to(folder).as_posix())
    return buf.getvalue()

class _Handler(BaseHTTPRequestHandler):
    server_of: LocalKaggle
    def log_message(self, *args): pass

    def _send(self, status, body: bytes, ctype="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status, obj): self._send(status, json.dumps(obj).encode())

    def do_POST(self):
        req = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        self.server_of.calls.append((self.path, req))
        method = self.path.rsplit("/", 1)[-1]
        ref = f"{req.get('ownerSlug')}/{req.get('datasetSlug')}"
        folder = self.server_of.datasets.get(ref)
        if folder is None: return self._json(404, {"code": 404, "message": f"Dataset {ref} not found"})
        if method == "GetDataset":
            return self._json(200, {"ref": ref, "title": ref, "currentVersionNumber": 1, "ownerRef": ref.split("/")[0],
                                    "lastUpdated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
        if method == "DownloadDataset": return self._send(200, _zip(Path(folder)), "application/zip")
        self._json(404, {"code": 404, "message": f"not served by the Kaggle stand-in: {self.path}"})

    do_GET = do_POST

def main(argv=None):
    p = argparse.ArgumentParser(description="Serve BanFakeNews-shaped files as Kaggle would, for kagglehub, until killed.")
    p.add_argument("--port", type=int, default=PORT)
    a = p.parse_args(argv)
    kaggle = LocalKaggle(port=a.port).start()
    print(kaggle.url, flush=True)
    try:
        while True: time.sleep(3600)
    except KeyboardInterrupt: kaggle.stop()

if __name__ == "__main__": main()
