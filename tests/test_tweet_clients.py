"The X (tweepy), Mastodon and Bluesky clients against local servers that answer in each real API's JSON format."
import json, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from hugtweets.core import HugtweetsError, files_containing
from hugtweets.tweet_sources import (DEFAULT_POST_LIMIT, MAX_RATE_LIMIT_WAIT, ApiSession, BlueskyClient, MastodonClient, XClient,
                                     http_session)


class FakeAPI:
    "An HTTP server on 127.0.0.1 (a free port) whose answers come from `respond(api, path, query, headers)`."
    def __init__(self, respond):
        self.respond, self.calls = respond, []
        api = self
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                api.calls.append((parts.path, query, dict(self.headers)))
                status, headers, body = api.respond(api, parts.path, query, self.headers)
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items(): self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)
            def log_message(self, *args): pass
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def paths(self, prefix=""): return [p for p, q, h in self.calls if p.startswith(prefix)]
    def close(self): self.server.shutdown(); self.server.server_close()


@pytest.fixture
def fake_api():
    servers = []
    def start(respond):
        servers.append(FakeAPI(respond))
        return servers[-1]
    yield start
    for s in servers: s.close()


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HUGTWEETS_CACHE", str(tmp_path/"cache"))
    return tmp_path/"cache"


def fast_session(): return http_session(retries=2, backoff=0)


# ---------------------------------------------------------------- X (API v2 through tweepy)
TOKEN = "xbearer-test-SECRET-1234"
X_TWEETS = [{"id": str(1000 - i), "text": f"post {i} about language models &amp; data @bo",
             "created_at": "2024-05-01T10:00:00.000Z", "edit_history_tweet_ids": [str(1000 - i)],
             "entities": {"mentions": [{"start": 40, "end": 43, "username": "bo", "id": "2"}]}} for i in range(250)]
X_TWEETS[3]["referenced_tweets"] = [{"type": "replied_to", "id": "1"}]
X_TWEETS[3]["in_reply_to_user_id"] = "2"
X_USERS = {"ada": {"id": "100", "name": "Ada Lovelace", "username": "ada", "protected": False},
           "shy": {"id": "101", "name": "Shy", "username": "shy", "protected": True}}
X_NOT_FOUND = {"errors": [{"value": "nobody", "detail": "Could not find user with username: [nobody].", "title": "Not Found Error",
                           "resource_type": "user", "parameter": "username", "resource_id": "nobody",
                           "type": "https://api.twitter.com/2/problems/resource-not-found"}]}


def x_api(rate_limit_once=(), fail_tokens=(), status_always=None):
    "A fake X API v2: users by username, and the user's tweets 100 a page with `meta.next_token`."
    limited = set()
    def respond(api, path, q, headers):
        if headers.get("Authorization") != f"Bearer {TOKEN}":
            return 401, {}, {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
        if status_always: return status_always, {}, {"title": "Service Unavailable"}
        if path.startswith("/2/users/by/username/"):
            name = path.rsplit("/", 1)[1]
            if name == "gone": return 404, {}, {"title": "Not Found Error", "status": 404, "type": "about:blank"}
            user = X_USERS.get(name)
            return (200, {}, {"data": user}) if user else (200, {}, X_NOT_FOUND)
        if path == "/2/users/100/tweets":
            token = q.get("pagination_token")
            if token in fail_tokens: return 503, {}, {"title": "Service Unavailable", "status": 503}
            if token in rate_limit_once and token not in limited:
                limited.add(token)
                return 429, {"x-rate-limit-reset": str(int(time.time()) - 1), "x-rate-limit-remaining": "0"}, {"title": "Too Many Requests"}
            start = int((token or "tok0")[3:]) * 100
            n = min(int(q.get("max_results", 10)), 100)
            data = X_TWEETS[start:start + n]
            meta = {"result_count": len(data), "newest_id": data[0]["id"], "oldest_id": data[-1]["id"]}
            if start + n < len(X_TWEETS): meta["next_token"] = f"tok{start // 100 + 1}"
            return 200, {}, {"data": data, "includes": {"users": [{"id": "2", "name": "Bo 🎸 #rock Diddley", "username": "bo"}]}, "meta": meta}
        return 404, {}, {"title": "Not Found Error"}
    return respond


def test_x_pages_mentions_and_rate_limit(fake_api, own_cache):
    api = fake_api(x_api(rate_limit_once={"tok1"}))
    tweets = list(XClient(TOKEN, base_url=api.url, backoff=0).posts("ada"))
    assert [t.id for t in tweets] == [t["id"] for t in X_TWEETS]
    assert tweets[0].mentions == {"bo": "Bo 🎸 #rock Diddley"} and tweets[0].handle == "ada"
    assert tweets[3].is_reply and not tweets[0].is_reply
    pages = [q.get("pagination_token") for p, q, h in api.calls if p == "/2/users/100/tweets"]
    assert pages == [None, "tok1", "tok1", "tok2"]  # the 429 was waited out and retried
    q = next(q for p, q, h in api.calls if p == "/2/users/100/tweets")
    assert q["max_results"] == "100" and q["exclude"] == "retweets" and "entities.mentions.username" in q["expansions"]
    assert len(list(own_cache.rglob("page-*.json"))) == 3
    assert files_containing(own_cache, [TOKEN]) == []


def test_x_limit(fake_api):
    api = fake_api(x_api())
    tweets = list(XClient(TOKEN, base_url=api.url).posts("ada", limit=120))
    assert len(tweets) == 120 and len(api.paths("/2/users/100/tweets")) == 2


def test_x_small_limit_asks_for_a_small_page(fake_api):
    api = fake_api(x_api())
    assert len(list(XClient(TOKEN, base_url=api.url).posts("ada", limit=7))) == 7
    assert [q["max_results"] for p, q, h in api.calls if p == "/2/users/100/tweets"] == ["7"]  # X bills every post it returns


def test_x_resumes_from_page_cache(fake_api, own_cache):
    broken = fake_api(x_api(fail_tokens={"tok2"}))
    with pytest.raises(HugtweetsError, match="after several retries"):
        list(XClient(TOKEN, base_url=broken.url, retries=1, backoff=0).posts("ada"))
    assert len(list(own_cache.rglob("page-*.json"))) == 2  # pages 0 and 1 were saved before the failure
    api = fake_api(x_api())
    tweets = list(XClient(TOKEN, base_url=api.url).posts("ada"))
    assert [t.id for t in tweets] == [t["id"] for t in X_TWEETS]  # nothing lost, nothing twice
    assert [q.get("pagination_token") for p, q, h in api.calls if p == "/2/users/100/tweets"] == ["tok2"]
    again = fake_api(x_api())
    assert len(list(XClient(TOKEN, base_url=again.url).posts("ada"))) == 250 and again.calls == []  # complete: no request


@pytest.mark.parametrize("handle,token,message", [
    ("ada", "wrong-token", "rejected the bearer token"),
    ("nobody", TOKEN, "X has no account @nobody"),
    ("gone", TOKEN, "404"),
    ("shy", TOKEN, "protected"),
])
def test_x_errors(fake_api, own_cache, handle, token, message):
    api = fake_api(x_api())
    with pytest.raises(HugtweetsError, match=message) as e:
        list(XClient(token, base_url=api.url).posts(handle))
    assert "\n" not in str(e.value) and token not in str(e.value)
    assert list(own_cache.rglob("page-*.json")) == []


def test_x_retries_exhausted(fake_api):
    api = fake_api(x_api(status_always=503))
    with pytest.raises(HugtweetsError, match="after several retries"):
        list(XClient(TOKEN, base_url=api.url, retries=2, backoff=0).posts("ada"))
    assert len(api.calls) == 3


def test_x_token_only_from_environment(monkeypatch):
    monkeypatch.delenv("X_BEARER_TOKEN", raising=False)
    with pytest.raises(HugtweetsError, match="X_BEARER_TOKEN"): XClient()


# ---------------------------------------------------------------- Mastodon
def status(i, **kw):
    return {"id": str(900 - i), "created_at": "2024-05-01T10:00:00.000Z", "in_reply_to_id": None, "in_reply_to_account_id": None,
            "visibility": "public", "reblog": None, "url": f"https://example.social/@ada/{900 - i}",
            "content": f'<p>toot {i} about <a href="https://example.social/tags/nlp" class="mention hashtag" rel="tag">#<span>nlp</span></a>'
                       f' &amp; more<br />second line, long enough for a voice to come through</p>', "mentions": [], "tags": [{"name": "nlp"}], **kw}

STATUSES = [status(i) for i in range(90)]
STATUSES[5]["in_reply_to_id"] = "1"


def mastodon_api(rate_limit_once=(), always_429=False):
    limited = set()
    def respond(api, path, q, headers):
        if always_429: return 429, {"Retry-After": "0"}, {"error": "Too many requests"}
        if path == "/api/v1/accounts/lookup":
            if q.get("acct") != "ada": return 404, {}, {"error": "Record not found"}
            return 200, {}, {"id": "7", "username": "ada", "acct": "ada", "display_name": "Ada 🌻", "locked": False}
        if path == "/api/v1/accounts/7/statuses":
            max_id = q.get("max_id")
            if max_id in rate_limit_once and max_id not in limited:
                limited.add(max_id)
                return 429, {"Retry-After": "1"}, {"error": "Too many requests"}
            items = [s for s in STATUSES if max_id is None or int(s["id"]) < int(max_id)]
            if q.get("exclude_replies") == "true": items = [s for s in items if s["in_reply_to_id"] is None]
            items = items[:int(q.get("limit", 20))]
            link = {}
            if items and items[-1] is not STATUSES[-1]:
                link = {"Link": f'<{api.url}/api/v1/accounts/7/statuses?limit=40&exclude_reblogs=true&max_id={items[-1]["id"]}>; rel="next", '
                                f'<{api.url}/api/v1/accounts/7/statuses?limit=40&min_id={items[0]["id"]}>; rel="prev"'}
            return 200, link, items
        return 404, {}, {"error": "Record not found"}
    return respond


def test_mastodon_paging_html_and_rate_limit(fake_api):
    api = fake_api(mastodon_api(rate_limit_once={str(900 - 39)}))
    tweets = list(MastodonClient("example.social", base_url=api.url, session=fast_session()).posts("ada"))
    assert [t.id for t in tweets] == [s["id"] for s in STATUSES]
    assert tweets[0].text == "toot 0 about #nlp & more\nsecond line, long enough for a voice to come through" and tweets[0].handle == "ada@example.social"
    assert tweets[5].is_reply and tweets[0].display_name == "Ada 🌻"
    calls = [q for p, q, h in api.calls if p.endswith("/statuses")]
    assert [q.get("max_id") for q in calls] == [None, "861", "861", "821"]  # paged by the Link header; the 429 retried
    assert all(q["exclude_reblogs"] == "true" for q in calls)


def test_mastodon_limit_and_no_replies(fake_api):
    api = fake_api(mastodon_api())
    tweets = list(MastodonClient("example.social", base_url=api.url).posts("ada", limit=50, replies=False))
    assert len(tweets) == 50 and not any(t.is_reply for t in tweets)
    assert len(api.paths("/api/v1/accounts/7/statuses")) == 2


def test_mastodon_unknown_user(fake_api):
    api = fake_api(mastodon_api())
    with pytest.raises(HugtweetsError, match="no Mastodon account nobody@example.social"):
        list(MastodonClient("example.social", base_url=api.url).posts("nobody"))


def test_mastodon_retries_exhausted(fake_api):
    api = fake_api(mastodon_api(always_429=True))
    with pytest.raises(HugtweetsError, match="after several retries"):
        list(MastodonClient("example.social", base_url=api.url, session=fast_session()).posts("ada"))
    assert len(api.calls) == 3


# ---------------------------------------------------------------- Bluesky
def feed_item(i, repost=False, reply=False):
    record = {"$type": "app.bsky.feed.post", "text": f"skeet {i} about small models @bo.bsky.social", "createdAt": "2024-05-01T10:00:00.000Z",
              "langs": ["en"]}
    if reply: record["reply"] = {"root": {"uri": "at://x/1", "cid": "c"}, "parent": {"uri": "at://x/1", "cid": "c"}}
    item = {"post": {"uri": f"at://did:plc:ada/app.bsky.feed.post/{i}", "cid": f"cid{i}",
                     "author": {"did": "did:plc:ada", "handle": "ada.bsky.social", "displayName": "Ada"},
                     "record": record, "indexedAt": "2024-05-01T10:00:01.000Z", "likeCount": 0}}
    if repost: item["reason"] = {"$type": "app.bsky.feed.defs#reasonRepost", "by": {"did": "did:plc:ada", "handle": "ada.bsky.social"},
                                 "indexedAt": "2024-05-01T10:00:01.000Z"}
    return item

FEED = [feed_item(i, repost=i % 10 == 9, reply=i == 4) for i in range(230)]


def bluesky_api(rate_limit_once=(), unknown_status=400):
    limited = set()
    def respond(api, path, q, headers):
        if path != "/xrpc/app.bsky.feed.getAuthorFeed": return 404, {}, {"error": "MethodNotImplemented"}
        if q.get("actor") != "ada.bsky.social":
            return unknown_status, {}, {"error": "InvalidRequest", "message": "Profile not found"}
        cursor = q.get("cursor")
        if cursor in rate_limit_once and cursor not in limited:
            limited.add(cursor)
            return 429, {"Retry-After": "1", "ratelimit-remaining": "0"}, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}
        start, n = int(cursor or 0), int(q.get("limit", 50))
        body = {"feed": FEED[start:start + n]}
        if start + n < len(FEED): body["cursor"] = str(start + n)
        return 200, {}, body
    return respond


def test_bluesky_paging_reposts_and_rate_limit(fake_api):
    api = fake_api(bluesky_api(rate_limit_once={"100"}))
    tweets = list(BlueskyClient(api.url, session=fast_session()).posts("ada.bsky.social"))
    assert len(tweets) == 230 and sum(t.is_retweet for t in tweets) == 23
    assert tweets[4].is_reply and tweets[0].text.startswith("skeet 0") and tweets[0].handle == "ada.bsky.social"
    assert [q.get("cursor") for p, q, h in api.calls] == [None, "100", "100", "200"]
    assert api.calls[0][1]["filter"] == "posts_with_replies"


def test_bluesky_limit_and_no_replies(fake_api):
    api = fake_api(bluesky_api())
    assert len(list(BlueskyClient(api.url).posts("ada.bsky.social", limit=150, replies=False))) == 150
    assert [q.get("filter") for p, q, h in api.calls] == ["posts_no_replies"] * 2


@pytest.mark.parametrize("status", [400, 404])
def test_bluesky_unknown_user(fake_api, status):
    api = fake_api(bluesky_api(unknown_status=status))
    with pytest.raises(HugtweetsError, match="no Bluesky account nobody.bsky.social"):
        list(BlueskyClient(api.url).posts("nobody.bsky.social"))


# ---------------------------------------------------------------- end to end: SOURCE strings through build_dataset
def test_api_sources_build_a_dataset_without_leaking_the_token(fake_api, own_cache, tmp_path, monkeypatch, fake_secrets):
    "x: and mastodon: sources through `build_dataset` (clients pointed at local servers), logged to W&B offline."
    import functools
    from hugtweets import tweet_sources
    from hugtweets.tweets import build_dataset
    x, masto = fake_api(x_api()), fake_api(mastodon_api())
    monkeypatch.setattr(tweet_sources, "XClient", functools.partial(XClient, base_url=x.url))
    monkeypatch.setattr(tweet_sources, "MastodonClient", functools.partial(MastodonClient, base_url=masto.url))
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_DIR", str(tmp_path/"wb"))
    stats = build_dataset(["x:ada", "mastodon:ada@example.social"], tmp_path/"ds", limit=200, use_wandb=True)
    assert {k: v for k, v in stats["sources"]["ada"].items() if v} == {"downloaded": 200, "kept": 200}
    assert stats["sources"]["ada@example.social"]["downloaded"] == 90
    assert all(h["Authorization"] == f"Bearer {TOKEN}" for p, q, h in x.calls)  # the token was really used...
    assert list((tmp_path/"wb").rglob("run-*.wandb")) and list(own_cache.rglob("page-*.json"))
    assert files_containing(tmp_path, fake_secrets.values()) == []  # ...and is nowhere: dataset, page cache, W&B run


# ---------------------------------------------------------------- never hang, never spin (deterministic: injected sleep and clock)
class Sleeps(list):
    "A `sleep` that records how long it was asked to wait, and never waits."
    def __call__(self, seconds): self.append(seconds)


def test_x_429_without_reset_header_is_bounded(fake_api):
    "Was: 967 retries in 46 s, then RecursionError. Now: `retries` tries with back-off, then one line."
    api = fake_api(lambda api, path, q, h: (429, {}, {"title": "Too Many Requests"}))
    sleeps = Sleeps()
    with pytest.raises(HugtweetsError, match="after several retries") as e:
        list(XClient(TOKEN, session=ApiSession(retries=3, backoff=1, base_url=api.url, sleep=sleeps)).posts("ada"))
    assert len(api.calls) == 4 and sleeps == [1, 2, 4] and "\n" not in str(e.value)


@pytest.mark.parametrize("header", ["Retry-After", "x-rate-limit-reset"])
def test_a_long_rate_limit_wait_stops_and_says_when(fake_api, header):
    "Was: a silent one-day sleep. Now: a wait over MAX_RATE_LIMIT_WAIT stops at once, saying when to retry."
    headers = {header: "86400" if header == "Retry-After" else str(int(time.time()) + 86400)}  # one day
    api = fake_api(lambda api, path, q, h: (429, headers, {"error": "Too many requests"}))
    sleeps = Sleeps()
    with pytest.raises(HugtweetsError, match=r"asks to wait 1,4\d\d minutes .*MAX_RATE_LIMIT_WAIT, 15 min\); try again after \d\d:\d\d UTC"):
        list(MastodonClient("example.social", base_url=api.url, session=http_session(sleep=sleeps)).posts("ada"))
    assert len(api.calls) == 1 and sleeps == [] and MAX_RATE_LIMIT_WAIT == 15 * 60


def test_a_few_minutes_wait_shows_a_countdown(fake_api, capsys):
    api = fake_api(mastodon_api(rate_limit_once={None}))
    first = {"done": False}
    def respond(api_, path, q, h):
        if path.endswith("/statuses") and not first["done"]:
            first["done"] = True
            return 429, {"Retry-After": "120"}, {"error": "Too many requests"}
        return mastodon_api()(api_, path, q, h)
    api = fake_api(respond)
    sleeps = Sleeps()
    tweets = list(MastodonClient("example.social", base_url=api.url, session=http_session(sleep=sleeps)).posts("ada"))
    assert len(tweets) == 90 and sum(sleeps) == 120 and set(sleeps) == {1}  # waited in 1 s steps...
    assert "rate limit: waiting" in capsys.readouterr().err                  # ...with a countdown on screen


class SlowServer:
    "A server on 127.0.0.1 that sends headers, then one byte every `pause` seconds (at most `n` bytes), or nothing at all."
    def __init__(self, pause=0.01, n=2000, silent=False):
        import socket
        self.sock = socket.socket(); self.sock.bind(("127.0.0.1", 0)); self.sock.listen(4)
        self.url, self.stop = f"http://127.0.0.1:{self.sock.getsockname()[1]}", threading.Event()
        def serve():
            self.sock.settimeout(0.05)
            while not self.stop.is_set():
                try: conn, _ = self.sock.accept()
                except OSError: continue
                with conn:
                    try:
                        conn.recv(65536)
                        if silent: self.stop.wait(5); continue
                        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % n)
                        for _ in range(n):
                            if self.stop.is_set(): break
                            conn.sendall(b" "); time.sleep(pause)
                    except OSError: pass
        self.thread = threading.Thread(target=serve, daemon=True); self.thread.start()
    def close(self): self.stop.set(); self.thread.join(5); self.sock.close()


def test_a_trickling_server_times_out_in_bounded_time():
    "Was: 30 s per read, 210 s in all, then 'could not connect'. Now: a deadline on the whole answer, and 'timed out'."
    server, ticks = SlowServer(), iter(range(10_000))
    try:
        session = http_session(total_timeout=5, clock=lambda: next(ticks))  # each read takes one tick of the fake clock
        with pytest.raises(HugtweetsError, match="Bluesky timed out") as e:
            list(BlueskyClient(server.url, session=session).posts("ada.bsky.social"))
        assert "could not connect" not in str(e.value) and next(ticks) < 20
    finally: server.close()


def test_a_silent_server_times_out():
    server = SlowServer(silent=True)
    try:
        with pytest.raises(HugtweetsError, match=r"Mastodon \(example.social\) timed out"):
            list(MastodonClient("example.social", base_url=server.url, session=http_session(retries=0, read_timeout=0.3)).posts("ada"))
    finally: server.close()
    assert ApiSession().timeouts == (10, 30) and ApiSession().total_timeout == 120


def test_mastodon_stops_on_a_repeated_link(fake_api):
    def respond(api, path, q, h):
        if path == "/api/v1/accounts/lookup": return 200, {}, {"id": "7", "username": "ada"}
        return 200, {"Link": f'<{api.url}/api/v1/accounts/7/statuses?max_id=5>; rel="next"'}, STATUSES[:40]
    api = fake_api(respond)
    tweets = list(MastodonClient("example.social", base_url=api.url).posts("ada"))
    assert len(api.paths("/api/v1/accounts/7/statuses")) == 2 and len(tweets) == 80


def test_bluesky_stops_on_a_repeated_cursor_an_empty_page_and_the_default_limit(fake_api):
    same = fake_api(lambda api, path, q, h: (200, {}, {"feed": FEED[:100], "cursor": "c1"}))
    assert len(list(BlueskyClient(same.url).posts("ada.bsky.social"))) == 100 and len(same.calls) == 2  # the same page is not yielded twice
    empty = fake_api(lambda api, path, q, h: (200, {}, {"feed": [], "cursor": "more"}))
    assert list(BlueskyClient(empty.url).posts("ada.bsky.social")) == [] and len(empty.calls) == 1
    def endless(api, path, q, h):
        start = int(q.get("cursor") or 0)
        return 200, {}, {"feed": [feed_item(i) for i in range(start, start + 100)], "cursor": str(start + 100)}
    api = fake_api(endless)
    assert len(list(BlueskyClient(api.url).posts("ada.bsky.social"))) == DEFAULT_POST_LIMIT == 3200
    assert len(api.calls) == 32


def test_x_stops_on_a_repeated_token_and_an_empty_page_and_caches_no_loop(fake_api, own_cache):
    def looping(api, path, q, headers):
        if path.startswith("/2/users/by/username/"): return 200, {}, {"data": X_USERS["ada"]}
        return 200, {}, {"data": X_TWEETS[:100], "meta": {"result_count": 100, "next_token": "same"}}
    api = fake_api(looping)
    assert len(list(XClient(TOKEN, base_url=api.url).posts("ada"))) == 100  # the page that points back is neither used nor cached
    assert len(api.paths("/2/users/100/tweets")) == 2 and len(list(own_cache.rglob("page-*.json"))) == 1
    for f in own_cache.rglob("page-*.json"): f.unlink()
    def empty(api, path, q, headers):
        if path.startswith("/2/users/by/username/"): return 200, {}, {"data": X_USERS["ada"]}
        return 200, {}, {"meta": {"result_count": 0, "next_token": "again"}}
    api = fake_api(empty)
    assert list(XClient(TOKEN, base_url=api.url).posts("ada")) == []
    assert len(api.paths("/2/users/100/tweets")) == 1 and list(own_cache.rglob("page-*.json")) == []


def test_x_handle_cannot_escape_the_cache(fake_api, own_cache, tmp_path):
    api = fake_api(x_api())
    for bad in ("../../..", "a/b", "toolong_handle_x16"):
        with pytest.raises(HugtweetsError, match="not a valid account name"):
            list(XClient(TOKEN, base_url=api.url).posts(bad))
    assert api.calls == [] and not own_cache.exists()


@pytest.mark.parametrize("answer,message", [(b"<html>502 Bad Gateway</html>", "not JSON"), ([1, 2], "JSON list where a dict"),
                                            ({"username": "ada"}, "account with no id")])
def test_mastodon_malformed_answers(fake_api, answer, message):
    api = fake_api(lambda api_, path, q, h: (200, {}, answer))
    with pytest.raises(HugtweetsError, match=message):
        list(MastodonClient("example.social", base_url=api.url).posts("ada"))


@pytest.mark.parametrize("answer,message", [(b"{not json", "cannot read"), ({"data": "ada"}, "no user record"),
                                            ({"data": [{"text": "no id"}], "meta": {}}, "without an id")])
def test_x_malformed_answers(fake_api, own_cache, answer, message):
    def respond(api_, path, q, h):
        if isinstance(answer, dict) and "no id" in json.dumps(answer) and path.startswith("/2/users/by"): return 200, {}, {"data": X_USERS["ada"]}
        return 200, {}, answer
    api = fake_api(respond)
    with pytest.raises(HugtweetsError, match=message):
        list(XClient(TOKEN, base_url=api.url).posts("ada"))


@pytest.mark.parametrize("answer,message", [(b"][", "not JSON"), ({"feed": {"a": 1}}, "not a list"), ({"feed": [{"x": 1}]}, "without a post record")])
def test_bluesky_malformed_answers(fake_api, answer, message):
    api = fake_api(lambda api_, path, q, h: (200, {}, answer))
    with pytest.raises(HugtweetsError, match=message):
        list(BlueskyClient(api.url).posts("ada.bsky.social"))


def test_bluesky_pinned_post_is_the_authors_own_and_kept_once(fake_api):
    pinned = {**FEED[5], "reason": {"$type": "app.bsky.feed.defs#reasonPin"}}
    api = fake_api(lambda api_, path, q, h: (200, {}, {"feed": [pinned] + FEED[:50]}))
    tweets = list(BlueskyClient(api.url).posts("ada.bsky.social"))
    assert len(tweets) == 50 and not tweets[0].is_retweet and tweets[0].text.startswith("skeet 5")
    assert [t.id for t in tweets].count(FEED[5]["post"]["uri"]) == 1
