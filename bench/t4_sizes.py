"""Will each lesson's online plan fit a Colab T4 (15 GB), and how long will an epoch take there? One training step per
model, at the real architecture size with random weights (built from the config: nothing is downloaded), on CPU.

    python bench/t4_sizes.py            # every online model, each step in a process of its own; prints a markdown table
    python bench/t4_sizes.py --one KEY  # one configuration (what the table runs), one JSON line

Measured here (CPU, fp32, AdamW): the peak resident memory of the process over the step, minus the memory before the
model was built, on 1 and on 2 texts; the lesson's batch is projected from those two (activations grow linearly with
the batch; stepping on a whole GPT-2 batch of 8 x 1,024 tokens needs more memory than a shared machine has). Projected for a T4 (no GPU was used):
- memory = 16 bytes per parameter (fp32 weights, fp32 gradients and AdamW's two moments, as mixed precision keeps them)
  + half the activations measured on CPU (fp16 instead of fp32; activations = the CPU peak minus those 16 bytes per
  parameter) + 0.5 GiB for the CUDA context and workspace;
- time per epoch = training FLOPs per step (6 x parameters x tokens, plus attention's 12 x layers x length x width x
  tokens) x steps per epoch, at 16 TFLOPS: a quarter of the T4's 65 TFLOPS fp16 peak, a usual utilisation for models
  of this size. A projection, not a measurement: rerun on a GPU to replace it.
Each step runs on the lesson's largest batch: `bs` texts at the lesson's maximum length (texts are padded per batch,
so most batches are shorter).
"""
from __future__ import annotations
import argparse, json, resource, subprocess, sys, time
from pathlib import Path

MINILM = dict(vocab_size=30522, hidden_size=384, num_hidden_layers=6, num_attention_heads=12, intermediate_size=1536)
DISTILROBERTA = dict(vocab_size=50265, num_hidden_layers=6, max_position_embeddings=514, type_vocab_size=1)
# key: (lessons, model id, architecture, config overrides, batch size, sequence length, training texts (or blocks) per epoch, epochs, data)
CONFIGS = {
    "gpt2": ("02", "gpt2", "gpt2", {}, 8, 1024, 9, 4, "one person's posts, about 9K tokens: 9 blocks of 1,024"),
    "minilm": ("03, 07", "sentence-transformers/all-MiniLM-L6-v2", "bert", MINILM, 16, 128, 618, 1, "772 posts, 80% for training; posts are under 128 tokens"),
    "distilroberta": ("04", "distilroberta-base", "roberta", DISTILROBERTA, 16, 128, 618, 1, "772 posts, 80% for training"),
    "minilm-05": ("05", "sentence-transformers/all-MiniLM-L6-v2", "bert", MINILM, 8, 128, 200, 1, "250 posts of two people, 80% for training"),
    "distilroberta-06": ("06", "distilroberta-base", "roberta", DISTILROBERTA, 8, 64, 160, 4, "200 made-up texts, 80% for training"),
    "distilroberta-iula": ("21, 22, 23", "distilroberta-base", "roberta", DISTILROBERTA, 16, 128, 41600, 2, "IULA, about 52K lines, 80% for training (an upper bound)"),
    "roberta-bne": ("21", "PlanTL-GOB-ES/roberta-base-bne", "roberta", dict(vocab_size=50262, max_position_embeddings=514, type_vocab_size=1), 16, 128, 41600, 2, "IULA, as above"),
    "nlptown": ("21", "nlptown/bert-base-multilingual-uncased-sentiment", "bert", dict(vocab_size=105879), 16, 128, 41600, 2, "IULA, as above"),
    "mbert": ("10", "bert-base-multilingual-cased", "bert", dict(vocab_size=119547), 16, 256, 14909, 2, "BanFakeNews: 20,000 authentic + 1,299 fake, 70% for training"),
    "distilbert": ("03 (toy)", "distilbert-base-uncased", "distilbert", {}, 8, 64, 192, 3, "240 made-up texts, 80% for training"),
}
T4_FLOPS, T4_GIB, CUDA_GIB = 16e12, 15.0, 0.5

def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"): return int(line.split()[1]) / 1024
    return float("nan")

def one(key: str, batch: int) -> dict:
    "Build the model from its config, step once on CPU on `batch` texts; the measurements as a dict."
    import torch
    from transformers import (GPT2Config, GPT2LMHeadModel, BertConfig, BertForSequenceClassification, RobertaConfig,
                              RobertaForSequenceClassification, DistilBertConfig, DistilBertForSequenceClassification)
    lessons, name, arch, over, bs, seq, n, epochs, data = CONFIGS[key]
    torch.manual_seed(0)
    before = rss_mib()
    if arch == "gpt2": cfg = GPT2Config(**over); model = GPT2LMHeadModel(cfg); layers, width = cfg.n_layer, cfg.n_embd
    elif arch == "bert": cfg = BertConfig(num_labels=3, **over); model = BertForSequenceClassification(cfg); layers, width = cfg.num_hidden_layers, cfg.hidden_size
    elif arch == "roberta": cfg = RobertaConfig(num_labels=3, **over); model = RobertaForSequenceClassification(cfg); layers, width = cfg.num_hidden_layers, cfg.hidden_size
    else: cfg = DistilBertConfig(num_labels=2, **over); model = DistilBertForSequenceClassification(cfg); layers, width = cfg.n_layers, cfg.dim
    model.train()
    params = sum(p.numel() for p in model.parameters())
    ids = torch.randint(5, cfg.vocab_size, (batch, seq))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    t = time.perf_counter()
    if arch == "gpt2": loss = model(input_ids=ids, labels=ids).loss
    else: loss = torch.nn.functional.cross_entropy(model(input_ids=ids).logits, torch.zeros(batch, dtype=torch.long))
    loss.backward()
    opt.step()
    secs = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before
    steps = -(-n // bs)
    flops = (6 * params + 12 * layers * seq * width) * bs * seq
    return dict(key=key, lessons=lessons, model=name, bs=bs, seq=seq, params_m=params / 1e6, batch=batch, cpu_peak_mib=peak,
                cpu_step_s=secs, steps=steps, epochs=epochs, t4_epoch_s=flops * steps / T4_FLOPS, data=data)

def project(r1: dict, r2: dict) -> dict:
    "The lesson's batch from steps on 1 and 2 texts (activations grow linearly with the batch); the T4 memory from that."
    per_text = max(r2["cpu_peak_mib"] - r1["cpu_peak_mib"], 0)
    cpu = r1["cpu_peak_mib"] + (r1["bs"] - 1) * per_text
    states = 16 * r1["params_m"] * 1e6 / 2**20
    acts = max(cpu - states, 0)
    return dict(r1, cpu_peak_mib=cpu, measured_mib=(r1["cpu_peak_mib"], r2["cpu_peak_mib"]), t4_gib=(states + acts / 2) / 1024 + CUDA_GIB)

def table(rows) -> str:
    head = ("| lessons | model | batch x length | parameters | CPU peak, one step (fp32; projected from 1 and 2 texts) | projected T4 memory (fp16) "
            "| steps per epoch | projected T4 time per epoch |\n|---|---|---|---|---|---|---|---|")
    fmt = lambda s: f"{s:.0f} s" if s < 90 else f"{s / 60:.0f} min"
    return "\n".join([head] + [f"| {r['lessons']} | `{r['model']}` | {r['bs']} x {r['seq']} | {r['params_m']:.0f} M | "
                               f"{r['cpu_peak_mib'] / 1024:.1f} GiB | {r['t4_gib']:.1f} GiB of {T4_GIB:.0f} | {r['steps']} ({r['data']}) | "
                               f"{fmt(r['t4_epoch_s'])} |" for r in rows])

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--one", choices=sorted(CONFIGS))
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--keys", default=",".join(CONFIGS))
    p.add_argument("--json", type=Path, help="also write the rows here")
    a = p.parse_args(argv)
    if a.one: print(json.dumps(one(a.one, a.batch))); return
    rows = []
    for key in a.keys.split(","):
        runs = [json.loads(subprocess.run([sys.executable, __file__, "--one", key, "--batch", str(b)], capture_output=True, text=True,
                                          check=True).stdout.strip().splitlines()[-1]) for b in (1, 2)]
        rows.append(r := project(*runs))
        print(f"# {key}: CPU {r['measured_mib'][0]:.0f} / {r['measured_mib'][1]:.0f} MiB at 1 / 2 texts, step {r['cpu_step_s']:.1f} s; "
              f"batch {r['bs']}: CPU {r['cpu_peak_mib']:.0f} MiB, T4 {r['t4_gib']:.1f} GiB", file=sys.stderr, flush=True)
    print(table(rows))
    if a.json: a.json.write_text(json.dumps(rows, indent=1))
    too_big = [r["model"] for r in rows if r["t4_gib"] > T4_GIB]
    if too_big: print(f"\nDoes not fit a T4: {', '.join(too_big)}")

if __name__ == "__main__": main()
