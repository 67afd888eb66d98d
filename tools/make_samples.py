#!/usr/bin/env python
"""Write the small, invented sample data shipped in `hugtweets/sample_data/`.

    python tools/make_samples.py                 # (re)writes hugtweets/sample_data/
    python tools/make_samples.py --out /tmp/sd   # writes elsewhere, e.g. to diff

Deterministic (fixed seeds, no network, zip entries with a fixed date and sorted names): running
it twice gives byte-identical files. The authored text lives in `tools/sample_text/`; everything
there is invented for hugtweets (people, accounts, news, Spanish prose). Outputs:

* `archives/<handle>.zip`: three X ("Download an archive of your data") exports, one per
  invented person, with the real variants: `data/tweets.js` + `data/tweets-part1.js`,
  a single `data/tweets.js`, and the older `data/tweet.js` (`window.YTD.tweet.part0`).
* `archives/vocabularies.json`: each person's template texts and word lists, as the generator used them
  (lesson 07's planted evidence, `hugtweets.lessons.sample_vocabularies`).
* `banfakenews/*.csv`: the four CSVs of the BanFakeNews release (same names and columns), in Bangla.
* `IULAcorpus/ES/<doc>/<doc>-plain.txt`: IULA-style Spanish technical documents; the first
  letter of `<doc>` is the domain (a, m, i, e, and a single d).
* `README.md`: what is in the folder, with the counts below.
"""
import argparse, csv, html, io, json, random, re, shutil, sys, zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.dont_write_bytecode = True
sys.path.insert(0, str(HERE/'sample_text'))
import tweets_text as TT  # noqa: E402
import bangla_text as BT  # noqa: E402
import iula_text as IT  # noqa: E402

ZIP_DATE = (2022, 11, 1, 12, 0, 0)
N_TWEETS = 300
TWEPOCH_MS = 1288834974657  # the X/Twitter snowflake epoch
URL_SHARE = 0.20            # share of tweets carrying a t.co link
DAYS_EN = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']
MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

# ============================================================================================
# Helpers
# ============================================================================================
def escape(s):
    "HTML-escape the way the X archive stores `full_text` (only &, < and >)."
    return s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')

def is_boring(full_text):
    "A tweet is 'boring' when, without mentions and links, fewer than 3 words of 2+ letters remain."
    t = re.sub(r'@\w+|https?://\S+', ' ', html.unescape(full_text))
    return len(re.findall(r'[^\W\d_]{2,}', t)) < 3

def lang_of(kind, text):
    "`zxx` for a lone link, `und` for only mentions/emoji, else `en` (the codes X uses)."
    if kind == 'boring_url': return 'zxx'
    return 'en' if re.search(r'[A-Za-z]{2}', re.sub(r'@\w+', '', text)) else 'und'

def tw_date(dt):
    "`Wed Oct 14 19:43:11 +0000 2020` (locale independent)."
    return f"{DAYS_EN[dt.weekday()]} {MONTHS_EN[dt.month-1]} {dt:%d %H:%M:%S} +0000 {dt.year}"

def snowflake(dt, rng):
    ms = int(dt.timestamp()*1000) + rng.randrange(1000)
    return ((ms - TWEPOCH_MS) << 22) | rng.getrandbits(22)

def rand_dt(rng, start, end):
    a = datetime.fromisoformat(start).replace(tzinfo=timezone.utc)
    b = datetime.fromisoformat(end).replace(tzinfo=timezone.utc)
    return a + timedelta(seconds=rng.randrange(int((b - a).total_seconds())))

def tco(rng):
    return 'https://t.co/' + ''.join(rng.choice('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')
                                     for _ in range(10))

def display_url(u):
    d = re.sub(r'^https?://(www\.)?', '', u)
    return d if len(d) <= 30 else d[:29] + '…'

def write_zip(path, files):
    "Zip `files` (name -> text) with sorted names and a fixed date, so the bytes never change."
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, 'w') as z:
        for name in sorted(files):
            zi = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.create_system = 3
            zi.external_attr = 0o644 << 16
            z.writestr(zi, files[name].encode('utf-8'), compresslevel=9)

def ytd(var, objs):
    "The archive's JavaScript wrapper: `window.YTD.<var> = [ ...pretty JSON... ]`."
    return f'window.YTD.{var} = ' + json.dumps(objs, indent=2, ensure_ascii=False, separators=(',', ' : '))

# ============================================================================================
# 1. X archives
# ============================================================================================
def fill_frames(p, rng, n, taken):
    """`n` new distinct tweets from the person's template frames.

    A slot `{x2}` draws from the list `x` (distinct from `{x}`); `{t1}`..`{t3}` are increasing night times;
    values of the slots listed in `once` are used only once; no frame is used much more than its share."""
    slots, frames, once = p['slots'], p['frames'], set(p.get('once', []))
    cap = max(6, -(-n*3 // (2*len(frames))))
    uses, used, out, tries = {f: 0 for f in frames}, set(), [], 0
    while len(out) < n:
        tries += 1
        assert tries < 100_000, 'templates exhausted'
        frame = rng.choice([f for f in frames if uses[f] < cap])
        vals, ok = {}, True
        names = list(dict.fromkeys(re.findall(r'{(\w+)}', frame)))
        for k in names:
            if re.fullmatch(r't\d', k): continue
            base = k if k in slots else k.rstrip('0123456789')
            v = rng.choice([x for x in slots[base] if x not in vals.values()])
            if base in once and v in used: ok = False; break
            vals[k] = v
        if not ok: continue
        if 't1' in names:
            h, mins = rng.randint(21, 23), sorted(rng.sample(range(0, 300), 3))
            for i, m in enumerate(mins, 1):
                t = (h*60 + m) % (24*60)
                vals[f't{i}'] = f'{t//60:02d}:{t%60:02d}'
        text = frame.format(**vals)
        if '{' in text:  # nested slots (Otto's `night` values contain {n} / {m})
            text = text.format(n=rng.randint(2, 6), m=rng.choice([7, 12, 18, 25, 40]))
        text = text[0].upper() + text[1:]
        if text in taken: continue
        used.update(v for k, v in vals.items() if k in once)
        uses[frame] += 1
        taken.add(text); out.append(text)
    return out

def add_inline_tag(text, words, rng):
    "Turn one word of the text into a hashtag used inside the sentence (`my #sourdough starter`)."
    cands = [w for w in words if re.search(rf'(?<![\w#@/]){re.escape(w)}\b', text)]
    if not cands or '#' in text: return text
    w = rng.choice(cands)
    return re.sub(rf'(?<![\w#@/]){re.escape(w)}\b', '#' + w, text, count=1)

def build_archive(p, seed):
    "Return (list of tweet objects newest first, stats) for one invented person."
    rng = random.Random(seed)
    handle, (display, acc_id) = p['handle'], TT.ACCOUNTS[p['handle']]
    items = []
    for author, body in p['retweets']:
        items.append(dict(kind='retweet', author=author, body=body))
    for body in p['replies']:
        to = [rng.choice(p['friends'])]
        if rng.random() < 0.15: to.append(rng.choice([f for f in p['friends'] if f != to[0]]))
        items.append(dict(kind='reply', to=to, body=body))
    for kind, who, body in p['boring']:
        items.append(dict(kind='boring_' + kind, to=who.split() if who else [], body=body))
    n_thread = len(p['thread'])
    n_orig = N_TWEETS - len(items) - p['n_duplicates'] - n_thread
    taken = set(p['originals']) | set(p['thread'])
    originals = list(p['originals']) + fill_frames(p, rng, n_orig - len(p['originals']), taken)
    assert len(originals) == n_orig, (handle, len(originals), n_orig)
    orig_items = [dict(kind='original', body=b) for b in originals]
    items += orig_items
    keep_plain = set(p['duplicate_pool'])  # these are posted twice, so they get no added noise

    # noise on originals: inline hashtags, trailing hashtag runs, end-of-text links
    for it in orig_items:
        if it['body'] in keep_plain: continue
        if '{url}' not in it['body'] and rng.random() < 0.12:
            it['body'] = add_inline_tag(it['body'], p['inline_tags'], rng)
    n_links = round(URL_SHARE*N_TWEETS) - sum('{url}' in it['body'] for it in orig_items) - 2  # 2 link-only
    plain = [it for it in items if it['kind'] in ('original', 'reply') and '{url}' not in it['body']
             and '\n' not in it['body'] and it['body'] not in keep_plain]
    for it in rng.sample(plain, n_links):
        it['body'] += ' {url}'
    for it in orig_items:
        if it['body'] not in keep_plain and rng.random() < 0.28:
            have = {t.lower() for t in re.findall(r'#(\w+)', it['body'])}
            tags = [t for t in rng.sample(p['tags'], rng.choice([1, 1, 2, 2, 3])) if t[1:].lower() not in have]
            if tags and len(it['body']) + sum(len(t) + 1 for t in tags) < 230:
                if it['body'].endswith(' {url}') and rng.random() < 0.5:  # tags before the final link
                    it['body'] = it['body'][:-6] + ' ' + ' '.join(tags) + ' {url}'
                else:
                    it['body'] += ' ' + ' '.join(tags)

    # exact duplicates (same text posted again later)
    pool = [it for it in orig_items if it['body'] in p['duplicate_pool']]
    assert len(pool) >= p['n_duplicates'], (handle, 'duplicate pool')
    dups = [dict(kind='original', body=it['body'], dup=True) for it in pool[:p['n_duplicates']]]
    items += dups

    # timestamps: shuffle, give sorted random times, then insert the self-thread
    rng.shuffle(items)
    times = sorted(rand_dt(rng, *p['span']) for _ in items)
    for it, t in zip(items, times): it['dt'] = t
    if n_thread:
        t0 = rand_dt(rng, *p['span'])
        for i, body in enumerate(p['thread']):
            items.append(dict(kind='thread', body=body, idx=i, dt=t0 + timedelta(minutes=2*i, seconds=rng.randrange(60))))
    items.sort(key=lambda it: it['dt'])
    for it in items: it['id'] = snowflake(it['dt'], rng)

    # render
    tweets, prev_thread_id = [], None
    for it in items:
        kind, urls = it['kind'], {}
        def link():
            u = tco(rng); urls[u] = rng.choice(p['urls']); return u
        lead, reply_to, reply_user = '', None, None
        if kind == 'retweet':
            body = f"RT @{it['author']}: " + it['body']
            if len(body) > 140:  # old-style truncated retweet text
                body = body[:139].rsplit(' ', 1)[0] + '…'
            text = escape(body)
        elif kind in ('reply', 'boring_reply'):
            lead = ' '.join('@' + h for h in it['to']) + ' '
            text = lead + escape(it['body'])
            reply_user = it['to'][0]
        elif kind == 'boring_text':
            text = escape(it['body'])
        elif kind == 'boring_url':
            text = '{url}'
        elif kind == 'boring_mentions':
            text = ' '.join('@' + h for h in it['to'])
        elif kind == 'thread':
            text = escape(it['body'])
        else:
            text = escape(it['body'])
        while '{url}' in text:
            text = text.replace('{url}', link(), 1)
        assert len(text) <= 280, (handle, text)

        # entities (indices are Python str positions in the stored, escaped full_text)
        hashtags = [dict(text=m.group(1), indices=[str(m.start()), str(m.end())])
                    for m in re.finditer(r'(?<![\w&#/])#(\w+)', text)]
        mentions = []
        for m in re.finditer(r'(?<![\w@/])@(\w{1,15})', text):
            h = m.group(1)
            assert h in TT.ACCOUNTS, (handle, h, text)
            name, uid = TT.ACCOUNTS[h]
            mentions.append(dict(name=name, screen_name=h, indices=[str(m.start()), str(m.end())],
                                 id_str=uid, id=uid))
        url_ents = [dict(url=m.group(0), expanded_url=urls[m.group(0)], display_url=display_url(urls[m.group(0)]),
                         indices=[str(m.start()), str(m.end())])
                    for m in re.finditer(r'https://t\.co/\w{10}', text)]
        tw = {
            'retweeted': False,
            'source': TT.SOURCES[rng.choice(p['sources'])],
            'entities': {'hashtags': hashtags, 'symbols': [], 'user_mentions': mentions, 'urls': url_ents},
            'display_text_range': [str(len(lead)), str(len(text))],
            'favorite_count': '0' if kind == 'retweet' else str(int(rng.paretovariate(1.3)) - 1 + rng.randrange(3)),
            'id_str': str(it['id']),
            'truncated': False,
            'retweet_count': '0' if kind == 'retweet' else str(max(0, int(rng.paretovariate(2.0)) - 1)),
            'id': str(it['id']),
            'created_at': tw_date(it['dt']),
            'favorited': False,
            'full_text': text,
            'lang': lang_of(kind, text),
        }
        if reply_user or kind == 'thread' and it['idx'] > 0:
            if kind == 'thread':
                sid, uid, sname = prev_thread_id, acc_id, handle
            else:
                sid = snowflake(it['dt'] - timedelta(minutes=rng.randint(3, 60*30)), rng)
                uid, sname = TT.ACCOUNTS[reply_user][1], reply_user
            tw.update(in_reply_to_status_id_str=str(sid), in_reply_to_user_id=uid, in_reply_to_status_id=str(sid),
                      in_reply_to_screen_name=sname, in_reply_to_user_id_str=uid)
        if kind == 'thread': prev_thread_id = it['id']
        it['full_text'] = text
        tweets.append((it, {'tweet': tw}))

    tweets.sort(key=lambda x: x[0]['dt'], reverse=True)  # newest first, like the export
    objs = [o for _, o in tweets]

    # stats + sanity checks
    texts = [o['tweet']['full_text'] for o in objs]
    rts = [t for t in texts if t.startswith('RT @')]
    boring = [t for t in texts if not t.startswith('RT @') and is_boring(t)]
    assert len(boring) == len(p['boring']), (handle, len(boring), [t for t in boring])
    kept = list(dict.fromkeys(t for t in texts if not t.startswith('RT @') and not is_boring(t)))
    stats = dict(handle=handle, display_name=display, total=len(objs), retweets=len(rts),
                 replies_at=sum(t.startswith('@') for t in texts),
                 in_reply_to=sum('in_reply_to_status_id_str' in o['tweet'] for o in objs),
                 boring=len(boring), duplicates=len(texts) - len(set(texts)),
                 with_url=sum(bool(o['tweet']['entities']['urls']) for o in objs),
                 with_newline=sum('\n' in t for t in texts),
                 with_entity=sum(bool(re.search(r'&(amp|lt|gt);', t)) for t in texts),
                 kept_tweets=len(kept), kept_chars=sum(len(html.unescape(t)) for t in kept))
    assert stats['total'] == N_TWEETS and stats['kept_chars'] > 6000, stats
    assert stats['with_entity'] >= 3 and stats['with_newline'] >= 2 and stats['duplicates'] >= 2, stats
    return objs, stats

# What real exports carry beyond the basics, for lesson 01's before/after table: a long post (a "note tweet",
# cut at 280 characters in tweets.js, whole in data/note-tweet.js), an edited post (both versions, linked by
# `edit_info`), a double-escaped entity, and an account.js rewritten by a code formatter.
NOTES = {'tensortamsin': (
    "Long post, because a thread would get lost: the one habit that made my students better at ML this term was "
    "writing down, before each run, what they expected the validation loss to do and why. Half the time the guess "
    "was wrong, and the wrong guesses taught more than the right ones. It takes one minute. Try it on your next run "
    "and tell me what surprised you.")}
EXTRAS = {'tensortamsin': ('note', 'edit'), 'grumpyparsec': ('double_escape', 'formatted_account')}

def plain_posts(objs):
    "The person's own one-line posts with no link, tag, mention or entity: safe to rewrite, newest first."
    texts = [o['tweet']['full_text'] for o in objs]
    return [o['tweet'] for o in objs if not o['tweet']['full_text'].startswith(('RT @', '@')) and 'in_reply_to_status_id_str' not in o['tweet']
            and not any(o['tweet']['entities'][k] for k in ('urls', 'hashtags', 'user_mentions')) and '\n' not in o['tweet']['full_text']
            and '&' not in o['tweet']['full_text'] and texts.count(o['tweet']['full_text']) == 1 and len(o['tweet']['full_text']) > 50]

def iso_ms(created_at):
    return datetime.strptime(created_at, '%a %b %d %H:%M:%S %z %Y').strftime('%Y-%m-%dT%H:%M:%S.000Z')

def add_extras(p, objs, rng):
    "Rewrite a few of `objs` in place to carry the person's EXTRAS; return the extra archive files."
    handle, files = p['handle'], {}
    plain = plain_posts(objs)
    if 'note' in EXTRAS.get(handle, ()):
        t, full = plain[0], NOTES[handle]
        u = tco(rng)
        cut = escape(full)[:268].rsplit(' ', 1)[0] + '… ' + u
        t['full_text'], t['display_text_range'] = cut, ['0', str(len(cut))]
        t['entities']['urls'] = [dict(url=u, expanded_url=f"https://twitter.com/i/web/status/{t['id_str']}",
                                      display_url='twitter.com/i/web/status/1…', indices=[str(len(cut) - len(u)), str(len(cut))])]
        when = iso_ms(t['created_at'])
        note = {'noteTweet': {'noteTweetId': str(int(t['id_str']) + 1), 'updatedAt': when,
                              'lifecycle': {'value': '1', 'name': 'Live', 'originalName': 'Live'}, 'createdAt': when,
                              'core': {'styletags': [], 'urls': [], 'text': full, 'mentions': [], 'cashtags': [], 'hashtags': []}}}
        files['data/note-tweet.js'] = ytd('note_tweet.part0', [note])
    if 'edit' in EXTRAS.get(handle, ()):
        a, b = plain[2], plain[1]  # b is newer: it becomes the edit of a
        words = a['full_text'].split(' ')
        i = next(i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha())
        b['full_text'], b['display_text_range'] = a['full_text'], a['display_text_range']
        words[i] = words[i][:2] + words[i][3] + words[i][2] + words[i][4:]  # the typo the edit fixed
        a['full_text'] = ' '.join(words)
        dt = datetime.strptime(a['created_at'], '%a %b %d %H:%M:%S %z %Y') + timedelta(minutes=3)
        b['created_at'], b['id_str'] = tw_date(dt), str(int(a['id_str']) + ((3 * 60 * 1000) << 22))
        b['id'] = b['id_str']
        ids = [a['id_str'], b['id_str']]
        control = dict(editTweetIds=ids, editableUntil=iso_ms(a['created_at'])[:-5] + '.000Z', editsRemaining='4', isEditEligible=True)
        a['edit_info'] = {'initial': control}
        b['edit_info'] = {'edit': {'initialTweetId': ids[0], 'editControlInitial': control}}
    if 'double_escape' in EXTRAS.get(handle, ()):
        t = plain[0]
        t['full_text'] = t['full_text'].rstrip('.!') + ' &amp;#8230;'  # "…" escaped twice by the tool that posted it
        t['display_text_range'] = ['0', str(len(t['full_text']))]
    objs.sort(key=lambda o: int(o['tweet']['id_str']), reverse=True)
    return files

def formatted_js(var, objs):
    "A JS file as a code formatter leaves it: unquoted keys, trailing commas, a final `;`."
    def fmt(v, ind):
        pad = '  ' * ind
        if isinstance(v, dict): return '{\n' + ''.join(f"{pad}  {k}: {fmt(x, ind + 1)},\n" for k, x in v.items()) + pad + '}'
        if isinstance(v, list): return '[\n' + ''.join(f"{pad}  {fmt(x, ind + 1)},\n" for x in v) + pad + ']'
        return json.dumps(v, ensure_ascii=False)
    return f'window.YTD.{var} = ' + fmt(objs, 0) + ';\n'

def write_archives(out):
    stats = []
    for i, p in enumerate(TT.PEOPLE):
        objs, st = build_archive(p, seed=1000 + i)
        handle, (display, acc_id) = p['handle'], TT.ACCOUNTS[p['handle']]
        extra = add_extras(p, objs, random.Random(2000 + i))
        account = [{'account': {'email': p['email'], 'createdVia': 'web', 'username': handle, 'accountId': acc_id,
                                'createdAt': p['created_at'], 'accountDisplayName': display}}]
        files = {'data/account.js': (formatted_js if 'formatted_account' in EXTRAS.get(handle, ()) else ytd)('account.part0', account),
                 **extra}
        if p['layout'] == 'split':
            half = (len(objs) + 1)//2
            files['data/tweets.js'] = ytd('tweets.part0', objs[:half])
            files['data/tweets-part1.js'] = ytd('tweets.part1', objs[half:])
        elif p['layout'] == 'single':
            files['data/tweets.js'] = ytd('tweets.part0', objs)
        else:
            files['data/tweet.js'] = ytd('tweet.part0', objs)
        write_zip(out/'archives'/f'{handle}.zip', files)
        st['files'] = sorted(files)
        stats.append(st)
    return stats

# ============================================================================================
# 2. BanFakeNews-format CSVs
# ============================================================================================
BN_DIGITS = str.maketrans('0123456789', '০১২৩৪৫৬৭৮৯')
def bn(x): return str(x).translate(BN_DIGITS)

def bn_slots(rng):
    (p, p2), (a, b), (t1, t2) = rng.sample(BT.PLACES, 2), rng.sample(BT.NAMES, 2), rng.sample(BT.TEAMS, 2)
    return dict(place=p[0], place_loc=p[1], place_gen=p[2], place2=p2[0], name=a, name2=b, fname=rng.choice(BT.GIRLS),
                team=t1, team2=t2, film=rng.choice(BT.FILMS), day=rng.choice(BT.DAYS),
                n=bn(rng.choice([rng.randint(120, 950), rng.randint(1000, 9000)])), n2=bn(rng.randint(12, 60)),
                n3=bn(rng.randint(3, 9)), n3b=bn(rng.randint(4, 14)), pct=bn(f'{rng.uniform(70, 92):.2f}'),
                score=bn(rng.randint(140, 195)), mag=bn(f'{rng.uniform(5.0, 6.9):.1f}'),
                sec=bn(f'{rng.uniform(12.1, 13.4):.2f}'))

def n_words(s): return len(s.split())

def join_sents(rng, sents):
    "Mostly one paragraph; sometimes paragraphs separated by embedded new lines."
    if len(sents) > 2 and rng.random() < 0.15:
        cut = rng.randrange(1, len(sents))
        return ' '.join(sents[:cut]) + '\n' + ' '.join(sents[cut:])
    return ' '.join(sents)

CAT_WEIGHTS = dict(National=3, International=2, Politics=2, Sports=2, Entertainment=2, Crime=1.5, Education=1,
                   Technology=1, Finance=1, Lifestyle=1, Editorial=0.7, Miscellaneous=1.2)

def authentic_article(rng, category, long=False):
    t, s = rng.choice(BT.AUTHENTIC[category]), bn_slots(rng)
    more = t['more']
    if long:
        sents = [t['lead']] + more
        bg = rng.sample(BT.BACKGROUND, len(BT.BACKGROUND))
        while n_words(' '.join(sents).format(**s)) < 150: sents.append(bg.pop())
    else:
        k = rng.choice([0, 1, 1, 2, 2, 2, 3, 3, 4, 5])
        sents = [t['lead']] + [more[i] for i in sorted(rng.sample(range(len(more)), min(k, len(more))))]
    return rng.choice(BT.AUTH_KICKERS) + ': ' + t['headline'].format(**s), join_sents(rng, [x.format(**s) for x in sents])

def fake_article(rng, item):
    s = bn_slots(rng)
    pre = rng.choice(BT.FAKE_KICKERS) + ': '
    sents = [x.format(**s) for x in item['content']]
    if len(sents) > 2 and rng.random() < 0.35: sents = sents[:-1]
    if item['type'] != 'Satire' and rng.random() < 0.5: sents.append(rng.choice(BT.FAKE_TAILS))
    if item['type'] != 'Satire' and rng.random() < 0.15: sents[1:1] = rng.sample(BT.FAKE_FILLER, 5)
    return pre + item['headline'].format(**s), join_sents(rng, sents)

def rand_date(rng, a, b): return rand_dt(rng, a, b).strftime('%Y-%m-%d %H:%M:%S')

def auth_domain(rng, cat):
    if cat == 'Sports' and rng.random() < 0.5: return 'khelarpata.example'
    return rng.choice([d for d in BT.AUTH_DOMAINS if d != 'khelarpata.example'])

def auth_source(rng, cat):
    return {'Sports': 'ক্রীড়া প্রতিবেদক', 'International': 'আন্তর্জাতিক ডেস্ক', 'Entertainment': 'বিনোদন ডেস্ক',
            'Finance': 'অর্থনৈতিক প্রতিবেদক'}.get(cat) or rng.choice(BT.AUTH_SOURCES[:4])

def write_csv(path, header, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_MINIMAL, lineterminator='\n')
    w.writerow(header); w.writerows(rows)
    path.write_bytes(buf.getvalue().encode('utf-8'))

def unique(rng, make, seen):
    for _ in range(1000):
        h, c = make()
        if (h, c) not in seen: seen.add((h, c)); return h, c
    raise RuntimeError('could not make a unique article')

def write_banfakenews(out, seed=2020):
    rng, seen, stats = random.Random(seed), set(), {}
    d = out/'banfakenews'
    cats = list(CAT_WEIGHTS)
    def pick_cat(): return rng.choices(cats, weights=[CAT_WEIGHTS[c] for c in cats])[0]

    # Authentic-48K.csv: articleID,domain,date,category,headline,content,label (label 1)
    rows = []
    cat_list = cats + [pick_cat() for _ in range(360 - len(cats))]  # every category at least once
    rng.shuffle(cat_list)
    for i, cat in enumerate(cat_list, 1):
        long = rng.random() < 0.1
        h, c = unique(rng, lambda: authentic_article(rng, cat, long), seen)
        rows.append([i, auth_domain(rng, cat), rand_date(rng, '2018-01-01', '2019-12-31'), cat, h, c, 1])
    rows[rng.randrange(20, len(rows))][4] = ''  # a missing headline, as in real scraped data
    write_csv(d/'Authentic-48K.csv', ['articleID', 'domain', 'date', 'category', 'headline', 'content', 'label'], rows)
    stats['Authentic-48K.csv'] = rows

    # Fake-1K.csv: same columns, label 0
    rows = []
    items = [rng.choice(BT.FAKE) for _ in range(40 - len(BT.FAKE))] + list(BT.FAKE)
    rng.shuffle(items)
    for i, it in enumerate(items, 1):
        h, c = unique(rng, lambda: fake_article(rng, it), seen)
        dom = rng.choice(BT.SATIRE_DOMAINS if it['type'] == 'Satire' else BT.FAKE_DOMAINS)
        rows.append([i, dom, rand_date(rng, '2017-06-01', '2019-12-31'), it['category'], h, c, 0])
    write_csv(d/'Fake-1K.csv', ['articleID', 'domain', 'date', 'category', 'headline', 'content', 'label'], rows)
    stats['Fake-1K.csv'] = rows

    # LabeledAuthentic-7K.csv: + source, relation; a few label 0 although authentic (quirk of the release)
    rows = []
    cat_list = cats + [pick_cat() for _ in range(100 - len(cats))]
    rng.shuffle(cat_list)
    for i, cat in enumerate(cat_list):
        h, c = unique(rng, lambda: authentic_article(rng, cat, rng.random() < 0.08), seen)
        relation = 'Related'
        if rng.random() < 0.12:  # headline that does not match the body
            other = rng.choice([x for x in cats if x != cat])
            h, relation = authentic_article(rng, other)[0], 'Unrelated'
        rows.append([7001 + i, auth_domain(rng, cat), rand_date(rng, '2018-01-01', '2019-12-31'), cat,
                     auth_source(rng, cat), relation, h, c, 1])
    for r in rng.sample(rows, 5): r[-1] = 0
    write_csv(d/'LabeledAuthentic-7K.csv',
              ['articleID', 'domain', 'date', 'category', 'source', 'relation', 'headline', 'content', 'label'], rows)
    stats['LabeledAuthentic-7K.csv'] = rows

    # LabeledFake-1K.csv: + F-type after label
    rows = []
    items = [rng.choice(BT.FAKE) for _ in range(35)]
    for i, it in enumerate(items):
        h, c = unique(rng, lambda: fake_article(rng, it), seen)
        relation = 'Unrelated' if it['type'] == 'Clickbait' and rng.random() < 0.7 else 'Related'
        dom = rng.choice(BT.SATIRE_DOMAINS if it['type'] == 'Satire' else BT.FAKE_DOMAINS)
        src = 'রস ডেস্ক' if it['type'] == 'Satire' else rng.choice(BT.FAKE_SOURCES[:4])
        rows.append([1001 + i, dom, rand_date(rng, '2017-06-01', '2019-12-31'), it['category'], src, relation,
                     h, c, 0, it['type']])
    rows[rng.randrange(len(rows))][6] = ''
    write_csv(d/'LabeledFake-1K.csv',
              ['articleID', 'domain', 'date', 'category', 'source', 'relation', 'headline', 'content', 'label', 'F-type'],
              rows)
    stats['LabeledFake-1K.csv'] = rows
    return stats

# ============================================================================================
# 3. IULA-format corpus
# ============================================================================================
N_TERM_LINES = 18  # lines per document written from IT.FRAMES with the domain's vocabulary (IT.TERMS)

def term_lines(rng, terms, n):
    "`n` distinct lines from the domain-neutral frames, each naming two or three of the domain's `terms`."
    out = []
    while len(out) < n:
        a, b, c = rng.sample(terms, 3)
        line = rng.choice(IT.FRAMES).format(a=a, b=b, c=c)
        if line not in out: out.append(line)
    return out

def iula_doc(rng, dom, doc, terms):
    """Title, then 4 sections mixing the document's own lines, shared domain lines and lines naming the domain's
    vocabulary (some joined into paragraphs)."""
    shared = [s.format(tema=doc['tema']) for s in dom['shared']]
    own = list(doc['lines'])
    picked = rng.sample(shared, rng.randint(8, 12)) + term_lines(rng, terms, N_TERM_LINES)
    rng.shuffle(picked)
    secs = [dom['sections'][0]] + sorted(rng.sample(dom['sections'][1:-1], 2), key=dom['sections'].index) \
        + [dom['sections'][-1]]
    parts = [own[:2] + picked[:6], own[2:5] + picked[6:13], own[5:] + picked[13:20], picked[20:]]
    lines = [doc['title'], '']
    for i, (sec, body) in enumerate(zip(secs, parts)):
        if i: lines.append('')
        head, rest = body[:1], body[1:]
        rng.shuffle(rest)
        body, j = head + rest, 0
        while j < len(body) - 1:  # now and then two sentences form one paragraph line
            if rng.random() < 0.15: body[j:j+2] = [body[j] + ' ' + body[j+1]]
            j += 1
        lines += [sec] + body
    return lines

def write_iula(out, seed=1993):
    rng, docs = random.Random(seed), {}
    for letter, dom in IT.DOMAIN_TEXT.items():
        for j, doc in enumerate(dom['docs'], 1):
            docs[f'{letter}01{j:02d}'] = iula_doc(rng, dom, doc, IT.TERMS[letter])
    docs['d0101'] = IT.DERECHO
    for name, lines in sorted(docs.items()):
        assert 25 <= len(lines) <= 60, (name, len(lines))
        f = out/'IULAcorpus'/'ES'/name/f'{name}-plain.txt'
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(('\n'.join(lines) + '\n').encode('utf-8'))
    return {k: len(v) for k, v in sorted(docs.items())}

# ============================================================================================
# README + main
# ============================================================================================
def readme(tw, bf, iu):
    L = ['# hugtweets sample data', '',
         'Small, **invented** data in the formats of the real sources, used by tests, CI notebooks and the',
         'offline demo. Written by `tools/make_samples.py` (deterministic; do not edit by hand).',
         'Every person, account, news item and document here is made up; `.example` domains are placeholders.', '',
         '## archives/: X "Download an archive of your data" exports', '',
         '| handle | display name | files | tweets | RT | replies (@) | boring | dupes | links | kept chars |',
         '|---|---|---|---|---|---|---|---|---|---|']
    for s in tw:
        L.append(f"| {s['handle']} | {s['display_name'].replace('|', chr(92) + '|')} | {', '.join(s['files'])} | {s['total']} | {s['retweets']} | "
                 f"{s['replies_at']} | {s['boring']} | {s['duplicates']} | {s['with_url']} | {s['kept_chars']} |")
    L += ['', '`full_text` is HTML-escaped (`&amp;`, `&lt;`, `&gt;`) as in real exports; entity `indices` are',
          'Python string positions in that stored text. "Kept chars" counts unescaped text after dropping',
          'retweets (`RT @`), boring tweets (< 3 words once mentions and links are removed) and duplicates.', '',
          'Beyond the basics, as real exports have them (lesson 01 shows each before and after cleaning):',
          'tensortamsin has a long post cut at 280 characters whose whole text is in `data/note-tweet.js`, and',
          'an edited post (both versions, linked by `edit_info`); grumpyparsec has a double-escaped `&amp;#8230;`',
          'and an `account.js` rewritten by a code formatter; some mentioned accounts have display names that',
          'carry links and handles of their other accounts; replies open with a run of @mentions.', '',
          '## banfakenews/: BanFakeNews-format CSVs (Bangla)', '']
    for k, rows in bf.items():
        L.append(f"- `{k}`: {len(rows)} rows")
    L += ['', 'Authentic rows have label 1 and fake rows label 0, except 5 rows of `LabeledAuthentic-7K.csv` that',
          'carry label 0 (the real release has the same quirk: take the label from the file).', '',
          '## IULAcorpus/: IULA-format Spanish technical documents', '',
          'Domain = first letter of the document name: a ambiente, m medicina, i informática, e economía, d derecho.',
          'Only one legal document, so a split by document leaves no legal document for one side.', '']
    L += [f'- `{k}`: {n} lines' for k, n in iu.items()]
    return '\n'.join(L) + '\n'

def strings(o):
    "Every string inside nested dicts, lists and tuples."
    if isinstance(o, str): yield o
    elif isinstance(o, dict): yield from (s for v in o.values() for s in strings(v))
    elif isinstance(o, (list, tuple, set)): yield from (s for v in o for s in strings(v))

def write_vocabularies(out):
    "`archives/vocabularies.json`: each person's own template texts and word lists, with the display names of the people they mention."
    own = ('tags', 'inline_tags', 'duplicate_pool', 'originals', 'frames', 'slots', 'replies', 'boring', 'thread')  # not retweets: others' words
    names = lambda p: [TT.ACCOUNTS[f][0] for f in p.get('friends', []) if f in TT.ACCOUNTS]  # mentions become display names
    vocabs = {p['handle']: [re.sub(r'\{\w+\}', ' ', s) for s in strings({k: p[k] for k in own if k in p})] + names(p) for p in TT.PEOPLE}
    (out/'archives'/'vocabularies.json').write_text(json.dumps(vocabs, ensure_ascii=False, indent=0) + '\n', encoding='utf-8')
    return vocabs

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', default=str(ROOT/'hugtweets'/'sample_data'))
    a = ap.parse_args(argv)
    out = Path(a.out)
    for sub in ('archives', 'banfakenews', 'IULAcorpus'):
        if (out/sub).exists(): shutil.rmtree(out/sub)
    out.mkdir(parents=True, exist_ok=True)
    tw, bf, iu = write_archives(out), write_banfakenews(out), write_iula(out)
    write_vocabularies(out)
    (out/'README.md').write_bytes(readme(tw, bf, iu).encode('utf-8'))
    for s in tw:
        print(f"{s['handle']:16} {s['display_name']:32} total={s['total']} rt={s['retweets']} replies@={s['replies_at']} "
              f"in_reply_to={s['in_reply_to']} boring={s['boring']} dupes={s['duplicates']} urls={s['with_url']} "
              f"kept={s['kept_tweets']} tweets / {s['kept_chars']} chars")
    for k, rows in bf.items(): print(f'{k:26} {len(rows)} rows')
    print('IULA:', ' '.join(f'{k}({n})' for k, n in iu.items()))

if __name__ == '__main__':
    main()
