"""Mastodon and Bluesky stand-ins for the rehearsal's online mode (lesson 01 downloads public posts from both).

Imported at kernel start in the online mode (tools/colab/rehearse.py): it serves, on 127.0.0.1, the two calls each
client makes (Mastodon's `accounts/lookup` and `accounts/:id/statuses`, paged by a `Link` header; Bluesky's
`getAuthorFeed`, paged by a cursor), with a bundled sample person's posts for any account, and sends requests for
mastodon.social and public.api.bsky.app there instead: the rehearsal has no network.
"""
import html, json, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
import requests

HOSTS = ("https://mastodon.social", "https://public.api.bsky.app")
PAGE = 40

def _posts() -> list[dict]:
    from hugtweets.samples import sample_archive
    from hugtweets.tweet_sources import read_archive
    return [{"id": t.id, "text": t.text, "created_at": t.created_at} for t in read_archive(sample_archive("mayabakesbread"))
            if not t.is_retweet and not t.is_reply]

class _Handler(BaseHTTPRequestHandler):
    posts: list = []
    def log_message(self, *args): pass

    def _json(self, obj, headers=()):
        body = json.dumps(obj).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers: self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if not self.posts: _Handler.posts = _posts()  # on the first call: hugtweets is installed by then
        url = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        start = int(q.get("max_id_index") or q.get("cursor") or 0)
        if url.path == "/api/v1/accounts/lookup":
            return self._json({"id": "1", "username": q["acct"].split("@")[0], "display_name": "A sample person"})
        if url.path.startswith("/api/v1/accounts/"):
            page = self.posts[start:start + PAGE]
            nxt = [("Link", f'<https://mastodon.social{url.path}?max_id_index={start + PAGE}>; rel="next"')] if start + PAGE < len(self.posts) else []
            return self._json([{"id": p["id"], "content": f"<p>{html.escape(p['text'])}</p>", "created_at": p["created_at"],
                                "reblog": None, "in_reply_to_id": None} for p in page], nxt)
        if url.path == "/xrpc/app.bsky.feed.getAuthorFeed":
            page = self.posts[start:start + 100]
            feed = [{"post": {"uri": f"at://did:plc:sample/app.bsky.feed.post/{p['id']}", "record": {"text": p["text"], "createdAt": p["created_at"]}}}
                    for p in page]
            return self._json({"feed": feed, **({"cursor": str(start + 100)} if start + 100 < len(self.posts) else {})})
        self.send_error(404)

def start() -> str:
    "Serve the stand-ins and send requests for `HOSTS` to them; returns the local URL."
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    local = f"http://127.0.0.1:{server.server_address[1]}"
    request = requests.Session.request
    def rerouted(self, method, url, *args, **kwargs):
        for host in HOSTS:
            if isinstance(url, str) and url.startswith(host): url = local + url[len(host):]
        return request(self, method, url, *args, **kwargs)
    requests.Session.request = rerouted
    return local
