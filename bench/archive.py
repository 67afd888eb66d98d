"""How fast and how lean is `hugtweets dataset` on a big X archive, next to a plain `json.load` of the same file?

    python bench/archive.py                 # 100,000 posts (a tweets.js of about 175 MB, zipped)
    python bench/archive.py --n 5000        # a quick look

Writes an archive in the real export format (pretty-printed `window.YTD.tweets.part0 = [...]`, every field
X writes, retweets, replies opening with @mentions, links, hashtags, edits and a note tweet now and then) to a
temporary folder, then measures in a fresh process each:

- `json.load`: read tweets.js, strip the `window.YTD...=` prefix, `json.loads` it (what most readers do);
- `hugtweets`: `build_dataset([archive.zip], out)`, end to end: read the zip, parse, clean, filter, split, write.

Peak memory is the process's peak RSS (`ru_maxrss`) minus its RSS before the work (Python and the imports),
given as a multiple of the size of tweets.js. The last line is a JSON object with the figures.
"""
from __future__ import annotations
import argparse, json, random, resource, subprocess, sys, tempfile, time, zipfile
from pathlib import Path

WORDS = ("the a model data train loss posts people write voice small big learn text clean every day morning coffee "
         "code bread starter oven night sky stars telescope paper review deadline weekend walk garden rain sun "
         "friends music guitar song idea thread reply later today tomorrow yesterday really quite very").split()
FRIENDS = [("ana_p", "Ana Pérez (https://mastodon.social/@ana)"), ("jordivila", "Jordi Vila - @jordi@fosstodon.org"),
           ("alexamo", "Alex Amo @alexamo.bsky.social"), ("bo", "Bo 🎸 #rock Diddley"), ("mira", "Mira Kowal | spectra nerd")]


def tw_date(ts: int) -> str:
    return time.strftime("%a %b %d %H:%M:%S +0000 %Y", time.gmtime(ts))


def make_post(i: int, rng: random.Random) -> dict:
    "One entry of tweets.js with the fields a real export has."
    ts, pid = 1_500_000_000 + i * 997, str(1_000_000_000_000_000_000 + i * 7919)
    words = " ".join(rng.choices(WORDS, k=rng.randint(6, 40)))
    lead, mentions, urls, tags = "", [], [], []
    kind = rng.random()
    if kind < 0.15: text = f"RT @{FRIENDS[i % 5][0]}: {words}"
    elif kind < 0.40:
        to = rng.sample(FRIENDS, rng.randint(1, 3))
        lead = " ".join("@" + h for h, _ in to) + " "
        text = lead + words
        mentions = [{"name": n, "screen_name": h, "indices": ["0", "5"], "id_str": str(j), "id": str(j)} for j, (h, n) in enumerate(to)]
    else: text = words[0].upper() + words[1:]
    if rng.random() < 0.3:
        u = f"https://t.co/{i:010d}"
        text += " " + u
        urls = [{"url": u, "expanded_url": f"https://example.com/{i}", "display_url": f"example.com/{i}", "indices": ["0", "23"]}]
    if rng.random() < 0.2:
        text += " #" + rng.choice(WORDS)
        tags = [{"text": "x", "indices": ["0", "2"]}]
    t = {"edit_info": {"initial": {"editTweetIds": [pid], "editableUntil": "2018-10-10T21:19:24.000Z", "editsRemaining": "5",
                                   "isEditEligible": True}},
         "retweeted": False, "source": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
         "entities": {"hashtags": tags, "symbols": [], "user_mentions": mentions, "urls": urls},
         "display_text_range": [str(len(lead)), str(len(text))], "favorite_count": str(rng.randint(0, 50)), "id_str": pid,
         "truncated": False, "retweet_count": str(rng.randint(0, 5)), "id": pid, "created_at": tw_date(ts), "favorited": False,
         "full_text": text.replace("&", "&amp;"), "lang": "en"}
    if lead:
        t.update(in_reply_to_status_id_str="1", in_reply_to_status_id="1", in_reply_to_user_id="2", in_reply_to_user_id_str="2",
                 in_reply_to_screen_name=mentions[0]["screen_name"])
    return {"tweet": t}


def write_archive(folder: Path, n: int, seed: int = 0) -> tuple[Path, Path]:
    "Write `folder/tweets.js` (n posts) and `folder/archive.zip` holding it with account.js; return both paths."
    rng = random.Random(seed)
    js = folder/"tweets.js"
    with open(js, "w", encoding="utf-8") as f:
        f.write("window.YTD.tweets.part0 = [ ")
        for i in range(n):
            if i: f.write(", ")
            f.write(json.dumps(make_post(i, rng), indent=2, ensure_ascii=False, separators=(",", " : ")))
        f.write(" ]")
    acc = 'window.YTD.account.part0 = [ {"account" : {"username" : "bench", "accountDisplayName" : "Bench", "accountId" : "1"}} ]'
    zp = folder/"archive.zip"
    with zipfile.ZipFile(zp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("bench-archive/data/account.js", acc)
        zf.write(js, "bench-archive/data/tweets.js")
    return js, zp


CHILD = r'''
import json, os, resource, sys, time
def rss(): return int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
mode, path, out = sys.argv[1:4]
if mode == "hugtweets":
    from hugtweets.tweets import build_dataset
base = rss()
t = time.perf_counter()
if mode == "json":
    with open(path, encoding="utf-8") as f: text = f.read()
    n = len(json.loads(text[text.index("=") + 1:]))
else:
    import contextlib, io
    with contextlib.redirect_stdout(io.StringIO()):
        stats = build_dataset([path], out, min_chars=0)
    n = sum(s["downloaded"] for s in stats["sources"].values())
secs = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"n": n, "seconds": secs, "base": base, "peak": peak}))
'''


def measure(mode: str, path: Path, out: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, mode, str(path), str(out)], capture_output=True, text=True)
    if proc.returncode: sys.exit(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100_000, help="posts in the generated archive (default 100,000)")
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        t = time.perf_counter()
        js, zp = write_archive(d, a.n)
        size = js.stat().st_size
        print(f"archive: {a.n:,} posts, tweets.js {size / 1e6:,.1f} MB, zip {zp.stat().st_size / 1e6:,.1f} MB "
              f"(written in {time.perf_counter() - t:.1f} s)", file=sys.stderr)
        res = {"json.load": measure("json", js, d/"unused"), "hugtweets": measure("hugtweets", zp, d/"ds")}
    print(f"{'':12} {'posts/s':>10} {'seconds':>8} {'peak MB':>8} {'x tweets.js':>11}")
    for k, r in res.items():
        r["posts_per_s"] = r["n"] / r["seconds"]
        r["mem_multiple"] = (r["peak"] - r["base"]) / size
        print(f"{k:12} {r['posts_per_s']:>10,.0f} {r['seconds']:>8.1f} {(r['peak'] - r['base']) / 1e6:>8,.0f} {r['mem_multiple']:>11.2f}")
    print(json.dumps({"posts": a.n, "tweets_js_mb": round(size / 1e6, 1),
                      "hugtweets_posts_per_s": round(res["hugtweets"]["posts_per_s"]),
                      "hugtweets_mem_multiple": round(res["hugtweets"]["mem_multiple"], 2),
                      "json_load_posts_per_s": round(res["json.load"]["posts_per_s"]),
                      "json_load_mem_multiple": round(res["json.load"]["mem_multiple"], 2)}))


if __name__ == "__main__":
    main()
