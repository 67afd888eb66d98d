"""Section 13 of bench/run.py: `hugtweets app` as a Space's free CPU would serve it (issue 25).

The classifier app on the fine-tuned real MiniLM and the tweet app on the largest generator here, each started as a
user starts it (`hugtweets app MODEL --port P`, a fresh process) and driven through gradio_client:
- the time from the command to its first answer;
- the latency of one classification (`/classify`), one explanation (`/explain`) and one batch of 5 posts (`/write`),
  one user at a time, then 4 users at once through Gradio's queue (median and 95th percentile);
- PyTorch's dynamic int8 quantization of the classifier's linear layers (`build_app(..., quantized=True)`, served
  from this process; the command line does not offer it): its speed-up on the probabilities, in-process, and how
  often its label agrees with the float model's.
"""
from __future__ import annotations
import os, socket, subprocess, sys, threading, time
from pathlib import Path
from statistics import median

import numpy as np


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def p95(xs) -> float: return float(np.percentile(xs, 95))


class Served:
    "`hugtweets app MODEL` in a fresh process on 127.0.0.1; `first_answer` is the seconds from the command to the first answer."
    def __init__(self, model, call, threads: int, extra=(), in_process=False):
        from gradio_client import Client
        self.port, self.demo, self.proc = _free_port(), None, None
        if in_process:  # smoke runs: the wiring without a second process's imports
            from hugtweets.app import build_app
            t = time.perf_counter()
            self.demo = build_app(str(model), quantized="--quantize" in extra)
            self.url = self.demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=self.port, quiet=True)[1]
            call(Client(self.url, verbose=False))
            self.first_answer = time.perf_counter() - t
            return
        env = {**os.environ, "OMP_NUM_THREADS": str(threads), "GRADIO_ANALYTICS_ENABLED": "False"}
        t = time.perf_counter()
        import tempfile
        self.log = tempfile.TemporaryFile("w+")  # the server's output, read only if it fails (a pipe left unread can block it)
        self.proc = subprocess.Popen([sys.executable, "-m", "hugtweets.cli", "app", str(model), "--port", str(self.port), *extra],
                                     env=env, stdout=self.log, stderr=subprocess.STDOUT, text=True)
        for _ in range(600):  # up to 5 minutes on a busy machine
            if self.proc.poll() is not None: raise RuntimeError(f"hugtweets app ended: {self.output()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.25): break
            except OSError: time.sleep(0.5)
        self.url = f"http://127.0.0.1:{self.port}/"
        call(Client(self.url, verbose=False))
        self.first_answer = time.perf_counter() - t

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def close(self):
        if self.demo is not None: return self.demo.close()
        self.proc.terminate()
        try: self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired: self.proc.kill()


def _timed(call, client) -> float:
    t = time.perf_counter(); call(client); return time.perf_counter() - t


def latencies(url, calls: dict, n: dict, users: int = 1) -> dict:
    "Seconds per request of each call, `users` clients at once (each its own thread and session), every call `n[name]` times per user."
    from gradio_client import Client
    out = {k: [] for k in calls}
    lock = threading.Lock()
    def user(i):
        client = Client(url, verbose=False)
        for name, call in calls.items():
            for j in range(n[name]):
                s = _timed(lambda c: call(c, i * 1000 + j), client)
                with lock: out[name].append(s)
    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    for t in threads: t.start()
    for t in threads: t.join()
    return out


def quantization(model_dir, texts, timing_texts: int, log=print) -> dict:
    "Float vs int8 classifier in this process: seconds per text of `probabilities` (interleaved) and the label agreement."
    from hugtweets.app import Classifier
    f = Classifier(model_dir)
    q = Classifier(model_dir, quantized=True)
    agree = [max(a := f.probabilities(t), key=a.get) == max(b := q.probabilities(t), key=b.get) for t in texts]
    secs = {"float": [], "int8": []}
    for i, t in enumerate(texts[:timing_texts]):
        for name, clf in ((("float", f), ("int8", q)) if i % 2 else (("int8", q), ("float", f))):
            s = time.perf_counter(); clf.probabilities(t); secs[name].append(time.perf_counter() - s)
    log(f"  int8: labels agree on {np.mean(agree):.2%} of {len(texts)} texts; median {median(secs['float']) * 1e3:.1f} ms float, "
        f"{median(secs['int8']) * 1e3:.1f} ms int8")
    return dict(agree=float(np.mean(agree)), n_agree=len(texts), seconds=secs)


def app_benchmark(clf_dir, gen_dir, texts, cfg, log=print) -> dict:
    "Start-up, single-user and 4-user latencies of both apps, and the int8 classifier; raw seconds."
    threads = cfg["threads"]
    short = [t for t in texts if 20 <= len(t.split()) <= 120] or texts
    res = {}
    classify = lambda c, i: c.predict(short[i % len(short)], api_name="/classify")
    explain = lambda c, i: c.predict(short[i % len(short)], "the predicted label", api_name="/explain")
    for name, extra in (("classifier", ()), ("classifier_int8", ("--quantize",))):
        if name == "classifier_int8" and not cfg.get("app_int8_served", True): continue
        log(f"  starting hugtweets app ({name})")
        # the int8 copy has no command-line option (its labels agreed too rarely): served from this process
        s = Served(clf_dir, lambda c: classify(c, 0), threads, extra, cfg.get("app_in_process", False) or bool(extra))
        try:
            log(f"    first answer after {s.first_answer:.1f} s")
            one = latencies(s.url, dict(classify=classify, explain=explain), dict(classify=cfg["app_classify"], explain=cfg["app_explain"]))
            log("    one user: " + ", ".join(f"{k} median {median(v) * 1e3:.0f} ms" for k, v in one.items()))
            four = latencies(s.url, dict(classify=classify, explain=explain),
                             dict(classify=cfg["app_classify"] // 2, explain=max(1, cfg["app_explain"] // 2)), users=4)
            log("    4 users: " + ", ".join(f"{k} median {median(v) * 1e3:.0f} ms" for k, v in four.items()))
            res[name] = dict(first_answer=s.first_answer, one=one, four=four)
        finally: s.close()
    write = lambda c, i: c.predict("", 5, cfg["app_gen_tokens"], 1.0, api_name="/write")
    log("  starting hugtweets app (tweet writer)")
    s = Served(gen_dir, lambda c: write(c, 0), threads, in_process=cfg.get("app_in_process", False))
    try:
        log(f"    first answer after {s.first_answer:.1f} s")
        one = latencies(s.url, dict(write=write), dict(write=cfg["app_write"]))
        four = latencies(s.url, dict(write=write), dict(write=max(1, cfg["app_write"] // 2)), users=4)
        log(f"    5 posts: one user median {median(one['write']):.2f} s, 4 users median {median(four['write']):.2f} s")
        res["generator"] = dict(first_answer=s.first_answer, one=one, four=four)
    finally: s.close()
    res["int8"] = quantization(clf_dir, texts[:cfg["app_agree_texts"]], cfg["app_int8_timing"], log)
    return res
