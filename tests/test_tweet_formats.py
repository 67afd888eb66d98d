"""Real export formats end to end (in-process): X archives (note tweets, edits, reply runs, names, double escapes, formatted
account.js, Grailbird, zip limits), Mastodon quote posts, Bluesky facets and pins, counts that add up, and bad input."""
import hashlib, json, math, zipfile
from pathlib import Path

import pytest
from hugtweets.core import HugtweetsError
from hugtweets.tweet_sources import (MAX_COMPRESSION_RATIO, MAX_MEMBER_BYTES, NOTE_TIME_SLACK, bluesky_tweet, html_to_text,
                                     mastodon_tweet, read_archive, write_test_archive)
from hugtweets.tweets import DROP_COLUMNS, MIN_CHARS, build_dataset, clean_tweets

SENTENCE = "we trained a small model on the posts of one person and it learned to write like them, more or less"


def post(i, text=None, **kw):
    "An archive tweet dict as X exports it (strings for ids and counts)."
    t = {"id_str": str(1000 + i), "id": str(1000 + i), "full_text": text or f"{SENTENCE} ({i})", "created_at": "Wed Oct 10 20:19:24 +0000 2018",
         "display_text_range": ["0", str(len(text or SENTENCE) + 6)], "retweeted": False, "favorite_count": "0", "lang": "en",
         "entities": {"user_mentions": [], "urls": [], "hashtags": [], "symbols": []}}
    t.update(kw)
    return t


def digest(folder: Path) -> dict:
    "Every file under `folder` and its hash: to show that inputs and earlier outputs are untouched."
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


LONG = ("This is a long post about why small language models are fun to train at home, how much text they need, and what "
        "goes wrong when the data is thin: they repeat themselves, they copy whole posts, and they pick up every link and "
        "handle you forgot to clean. So clean the data first, then train, then read what comes out with care.")


def real_archive(tmp_path, formatted_account=False):
    "An archive with the real features: a note tweet, an edited post, a reply run, a double escape, a name with a handle."
    tweets = [post(i) for i in range(60)]
    cut = LONG[:260] + "… https://t.co/AbCdEf1234"
    tweets.append(post(100, cut, created_at="Thu Jan 05 12:00:00 +0000 2023"))          # a note tweet, cut at 280
    tweets.append(post(101, LONG[:255] + "… https://t.co/ZzZzZz9999"))                   # cut, and no note for it
    tweets.append(post(102, "the frist version of this post about training models",
                       edit_info={"initial": {"editTweetIds": ["1102", "1103"], "editsRemaining": "4", "isEditEligible": True}}))
    tweets.append(post(103, "the first version of this post about training models",
                       edit_info={"edit": {"initialTweetId": "1102", "editControlInitial": {"editTweetIds": ["1102", "1103"]}}}))
    reply = "@ana_p @jordivila @alexamo para el viernes traigo el modelo y las galletas, con @ana_p"
    tweets.append(post(104, reply, in_reply_to_status_id_str="1", display_text_range=["29", str(len(reply))],
                       entities={"user_mentions": [
                           {"screen_name": "ana_p", "name": "Ana Pérez (https://mastodon.social/@ana)"},
                           {"screen_name": "jordivila", "name": "Jordi Vila - @jordi@fosstodon.org"},
                           {"screen_name": "alexamo", "name": "Alex Amo @alexamo.bsky.social"}]}))
    tweets.append(post(105, "waiting for the loss to go down&amp;#8230; still waiting &amp;amp; hoping"))
    tweets.append(post(106, "odd mentions field but a fine post anyway", entities={"user_mentions": None}))
    tweets.append(post(107, "another odd mentions field, fine post too", entities={"user_mentions": ["ana_p", "bo"]}))
    tweets.append(post(108, "RT @bo: someone else's words entirely here"))
    tweets.append(post(109, f"{SENTENCE} (0)"))                                           # a duplicate of post 0
    tweets.append(post(110, "今日は寒いね"))                                                # Japanese, 6 characters
    tweets.append(post(111, "おはよう"))                                                    # Japanese, 4 characters
    notes = [{"noteTweet": {"noteTweetId": "555", "updatedAt": "2023-01-05T12:00:00.000Z", "createdAt": "2023-01-05T12:00:01.000Z",
                            "core": {"styletags": [], "urls": [], "text": LONG, "mentions": [], "cashtags": [], "hashtags": []}}}]
    account = None
    if formatted_account:
        account = ('window.YTD.account.part0 = [\n  {\n    account: {\n      email: "ada@example.com",\n'
                   '      username: "ada",\n      accountId: "1",\n      accountDisplayName: "Ada Lovelace",\n    },\n  },\n];\n')
    return write_test_archive(tmp_path/"ada.zip", tweets, parts=2, notes=notes, account_js=account)


def texts_of(out: Path) -> list[str]:
    return [json.loads(l)["text"] for f in ("train.jsonl", "valid.jsonl") for l in (out/f).read_text().splitlines()]


def test_real_archive_features_and_counts(tmp_path):
    src = real_archive(tmp_path, formatted_account=True)
    stats = build_dataset([src], tmp_path/"ds", min_chars=100)
    s = stats["sources"]["ada"]
    assert s == {"downloaded": 72, "retweets": 1, "replies": 0, "edits": 1, "truncated": 1, "short": 1, "empty": 0,
                 "duplicates": 1, "kept": 67}
    assert s["downloaded"] == sum(s[c] for c in DROP_COLUMNS) + s["kept"]   # the counts add up
    assert stats["info"]["ada"] == {"notes": 1}                              # information beside the drops, not among them
    texts = texts_of(tmp_path/"ds")
    assert LONG in texts and not any(t.endswith("…") for t in texts)         # the note's full text, no cut-off post
    assert "the first version of this post about training models" in texts
    assert not any("frist" in t for t in texts)                              # only the final edit
    assert "para el viernes traigo el modelo y las galletas, con Ana Pérez" in texts  # reply run gone, inner mention named
    assert not any(x in " ".join(texts) for x in ("mastodon.social", "fosstodon", "bsky.social", "#8230", "&amp;"))
    assert "waiting for the loss to go down… still waiting & hoping" in texts
    assert "今日は寒いね" in texts and "おはよう" not in texts
    assert json.loads((tmp_path/"ds/stats.json").read_text()) == stats


def test_grailbird_archive(tmp_path):
    root = tmp_path/"tweets"
    (root/"data/js/tweets").mkdir(parents=True)
    (root/"data/js/user_details.js").write_text('var user_details =  {\n  "screen_name" : "oldtimer",\n  "full_name" : "Old Timer"\n}')
    for month in ("2012_01", "2012_02"):
        items = [{"source": "web", "entities": {"user_mentions": [], "media": [], "hashtags": [], "urls": []}, "geo": {},
                  "id_str": f"{month[-1]}{i:04d}", "text": f"{SENTENCE} in {month} number {i}", "id": int(f"{month[-1]}{i:04d}"),
                  "created_at": f"{month[:4]}-{month[5:]}-10 20:19:24 +0000",
                  "user": {"name": "Old Timer", "screen_name": "oldtimer", "protected": False}} for i in range(40)]
        items[0]["retweeted_status"] = {"id_str": "1", "text": "x"}
        items[0]["text"] = "RT @someone: their words"
        (root/f"data/js/tweets/{month}.js").write_text(f"Grailbird.data.tweets_{month} = \n" + json.dumps(items, indent=1))
    tweets = read_archive(root)
    assert len(tweets) == 80 and {t.handle for t in tweets} == {"oldtimer"} and sum(t.is_retweet for t in tweets) == 2
    assert tweets[1].created_at == "2012-01-10T20:19:24+00:00"


def test_mastodon_quote_post_and_bluesky_facets_and_pins():
    status = {"id": "1", "created_at": "2025-07-01T10:00:00.000Z", "in_reply_to_id": None, "reblog": None,
              "content": '<p class="quote-inline">RE: <a href="https://mastodon.social/@bo/114">mastodon.social/@bo/114</a></p>'
                         "<p>this is exactly what I meant about small models</p>"}
    assert mastodon_tweet(status, "ada@example.social").text == "this is exactly what I meant about small models"
    text = "Read this 👉 example.com/blog/po… by @bo.bsky.social, so good"
    b = text.encode()
    s1, s2 = b.find(b"example"), b.find(b"@bo")
    item = {"post": {"uri": "at://did:plc:ada/app.bsky.feed.post/1", "author": {"handle": "ada.bsky.social"},
                     "record": {"text": text, "createdAt": "2025-01-01T00:00:00Z", "facets": [
                         {"index": {"byteStart": s1, "byteEnd": b.find(b" by")}, "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com/blog/post"}]},
                         {"index": {"byteStart": s2, "byteEnd": s2 + len(b"@bo.bsky.social")}, "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:bo"}]}]}},
            "reason": {"$type": "app.bsky.feed.defs#reasonPin"}}
    t = bluesky_tweet(item, "ada.bsky.social")
    assert not t.is_retweet and "example.com" not in t.text and t.mentions == {"bo.bsky.social": "bo"}
    rows, stats, info = clean_tweets([t])
    assert rows[0]["text"] == "Read this 👉 by bo, so good"


def test_too_little_text_prints_the_table_and_min_chars(tmp_path, capsys):
    src = write_test_archive(tmp_path/"ada.zip", [post(i) for i in range(10)] +
                             [post(20 + i, f"@bo {SENTENCE} {i}", in_reply_to_status_id_str="1") for i in range(40)])
    before = digest(tmp_path)
    with pytest.raises(HugtweetsError, match=r"replies removed the most \(40 of 50 posts.*leave out --no-replies.*--min-chars N"):
        build_dataset([src], tmp_path/"ds", replies=False)
    out, err = capsys.readouterr()
    assert "downloaded" in out and "replies" in out                   # the stats table came first
    assert digest(tmp_path) == before and not (tmp_path/"ds").exists()
    stats = build_dataset([src], tmp_path/"ds", replies=False, min_chars=500)
    assert stats["sources"]["ada"]["kept"] == 10 and "--min-chars 500" in capsys.readouterr().err
    assert MIN_CHARS == 6_000


# ---------------------------------------------------------------- bad input: an exception, a message, nothing harmed
def zip_with(path, members: dict, compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression) as zf:
        for n, data in members.items(): zf.writestr(n, data)
    return path


def bad_source(tmp_path, kind) -> str:
    ok = json.dumps([{"tweet": post(i)} for i in range(80)])
    if kind == "all empty or NaN":
        (tmp_path/"p.jsonl").write_text('{"text": NaN}\n{"text": null}\n{"text": "  "}\n'); return "p.jsonl"
    if kind == "JSONL text is a dict":
        (tmp_path/"p.jsonl").write_text('{"text": "fine words here"}\n{"text": {"a": 1}}\n'); return "p.jsonl"
    if kind == "latin-1 CSV":
        (tmp_path/"p.csv").write_bytes("text\nun café con leche y pan\n".encode("latin-1")); return "p.csv"
    if kind == "empty CSV":
        (tmp_path/"p.csv").write_text(""); return "p.csv"
    if kind == "broken CSV":
        (tmp_path/"p.csv").write_text('text\n"a quote that is never closed\n'); return "p.csv"
    if kind == "username: 5":
        zip_with(tmp_path/"a.zip", {"data/account.js": 'window.YTD.account.part0 = [{"account": {"username": 5}}]',
                                    "data/tweets.js": "window.YTD.tweets.part0 = " + ok}); return "a.zip"
    if kind == "two people in a folder":
        for who in ("ada", "bo"):
            d = tmp_path/"both"/f"{who}-archive"/"data"
            d.mkdir(parents=True)
            (d/"account.js").write_text(f'window.YTD.account.part0 = [{{"account": {{"username": "{who}"}}}}]')
            (d/"tweets.js").write_text("window.YTD.tweets.part0 = " + ok)
        return "both"
    if kind == "encrypted zip":
        zip_with(tmp_path/"e.zip", {"data/tweets.js": "window.YTD.tweets.part0 = " + ok})
        raw = bytearray((tmp_path/"e.zip").read_bytes())
        raw[6] |= 1                                         # the local header's "encrypted" flag
        cd = raw.find(b"PK\x01\x02"); raw[cd + 8] |= 1      # and the central directory's
        (tmp_path/"e.zip").write_bytes(bytes(raw)); return "e.zip"
    if kind == "AES entry":
        zip_with(tmp_path/"e.zip", {"data/tweets.js": "window.YTD.tweets.part0 = " + ok}, zipfile.ZIP_STORED)
        raw = bytearray((tmp_path/"e.zip").read_bytes())
        raw[8] = 99                                          # compression method 99: WinZip AES
        cd = raw.find(b"PK\x01\x02"); raw[cd + 10] = 99
        (tmp_path/"e.zip").write_bytes(bytes(raw)); return "e.zip"
    if kind == "zip bomb":
        zip_with(tmp_path/"b.zip", {"data/tweets.js": "window.YTD.tweets.part0 = [" + " " * (4 * 1024**2) + "]"}); return "b.zip"
    if kind == "a source that keeps 0 posts":
        zip_with(tmp_path/"a.zip", {"data/account.js": 'window.YTD.account.part0 = [{"account": {"username": "ada"}}]',
                                    "data/tweets.js": "window.YTD.tweets.part0 = " + ok})
        (tmp_path/"rt.jsonl").write_text("".join(json.dumps({"text": f"RT @x: {SENTENCE} {i}"}) + "\n" for i in range(20)))
        return "a.zip,rt.jsonl"
    raise ValueError(kind)


BAD = [("all empty or NaN", "every 'text' in p.jsonl is empty"), ("JSONL text is a dict", "is a JSON dict, not text"),
       ("latin-1 CSV", "not UTF-8 text; save it as UTF-8 csv"), ("empty CSV", "holds no rows"), ("broken CSV", "not a well-formed CSV"),
       ("username: 5", "no valid username"), ("two people in a folder", "holds 2 archives"),
       ("encrypted zip", "encrypted"), ("AES entry", "encrypted (or uses an unsupported compression)"),
       ("zip bomb", "MAX_COMPRESSION_RATIO"), ("a source that keeps 0 posts", "rt keeps no post; retweets removed the most")]


@pytest.mark.parametrize("kind,message", BAD, ids=[k for k, m in BAD])
def test_bad_input_writes_nothing(tmp_path, kind, message):
    sources = [str(tmp_path/s) for s in bad_source(tmp_path, kind).split(",")]
    (tmp_path/"ds").mkdir(); (tmp_path/"ds/mine.txt").write_text("an earlier output")
    (tmp_path/"ds/.hugtweets-output").write_text("written by hugtweets")  # an earlier output that --force may replace
    before = digest(tmp_path)
    with pytest.raises(HugtweetsError, match="^[^\n]*" + message.replace("(", r"\(").replace(")", r"\)")):
        build_dataset(sources, tmp_path/"ds", force=True, min_chars=0)
    assert digest(tmp_path) == before and sorted(p.name for p in tmp_path.iterdir()) == sorted({*(Path(s).name for s in sources), "ds"})


def test_zip_limits_and_a_real_archive_with_big_media(tmp_path):
    assert (MAX_MEMBER_BYTES, MAX_COMPRESSION_RATIO, NOTE_TIME_SLACK) == (1024**3, 100, 60)
    tweets = "window.YTD.tweets.part0 = " + json.dumps([{"tweet": post(i)} for i in range(100)])
    media = {f"data/tweets_media/{i}.jpg": b"\0" * (8 * 1024**2) for i in range(3)}   # highly compressible, never read
    src = zip_with(tmp_path/"a.zip", {"data/account.js": 'window.YTD.account.part0 = [{"account": {"username": "ada"}}]',
                                      "data/tweets.js": tweets, **media})
    assert len(read_archive(src)) == 100


def test_reply_runs_dropped_where_display_text_range_starts_at_0(tmp_path):
    "Replies as the 2020-2026 archives export them: `display_text_range` starts at 0, the mentions inside the range."
    people = [{"screen_name": "ana_p", "name": "Ana Pérez"}, {"screen_name": "jordivila", "name": "Jordi Vila"}]
    def reply(i, text, **kw):
        return post(i, text, in_reply_to_status_id_str=str(900 + i), in_reply_to_screen_name="ana_p",
                    display_text_range=["0", str(len(text))], entities={"user_mentions": people, "urls": [], "hashtags": []}, **kw)
    tweets = [post(i) for i in range(40)]
    tweets += [reply(200, "@ana_p @jordivila para el viernes traigo el modelo y las galletas"),
               reply(201, "@ana_p gracias, el tokenizador de @jordivila funcionó a la primera"),
               reply(202, "@ana_p @jordivila"),                                     # only mentions: kept as it is
               post(203, "@ana_p starts this post but it is not a reply to anyone at all",
                    entities={"user_mentions": people, "urls": [], "hashtags": []})]  # not a reply: named
    build_dataset([write_test_archive(tmp_path/"ada.zip", tweets)], tmp_path/"ds", min_chars=100)
    texts = texts_of(tmp_path/"ds")
    assert "para el viernes traigo el modelo y las galletas" in texts
    assert "gracias, el tokenizador de Jordi Vila funcionó a la primera" in texts     # the inner mention is named
    assert "Ana Pérez starts this post but it is not a reply to anyone at all" in texts
    assert not any(t.startswith(("Ana Pérez Jordi Vila", "Ana Pérez gracias", "@")) for t in texts)
