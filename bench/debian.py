"""Human-written English texts with labels from this machine: the short descriptions of Debian packages
(`apt-cache dumpavail`), labelled by their `Section`, over admin, devel, net, text and utils; one package per
source package (the one named like its source, else the first by name). Extracted at run time and cached
under the bench cache (never committed): the descriptions are under their packages' free licences."""
from __future__ import annotations
import os, re, subprocess
from pathlib import Path
import pandas as pd

SECTIONS = ("admin", "devel", "net", "text", "utils")


def cache_dir() -> Path:
    d = Path(os.environ.get("HUGTWEETS_CACHE", Path(__file__).resolve().parent.parent / ".cache" / "hugtweets")) / "bench"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _records(text: str):
    "(package, source, section, short description) of every stanza of `apt-cache dumpavail`."
    for stanza in text.split("\n\n"):
        f = dict(re.findall(r"^(Package|Source|Section|Description): *(.*)$", stanza, re.M))
        if {"Package", "Section", "Description"} <= f.keys():
            yield (f["Package"], f.get("Source", f["Package"]).split(" ")[0], f["Section"].split("/")[-1], f["Description"].strip())


def all_packages() -> pd.DataFrame:
    "One row per source package (every section): package, source, section, text. Cached as CSV."
    path = cache_dir() / "debian-packages.csv"
    if path.is_file(): return pd.read_csv(path, keep_default_na=False)
    out = subprocess.run(["apt-cache", "dumpavail"], capture_output=True, text=True, check=True).stdout
    df = pd.DataFrame(list(_records(out)), columns=["package", "source", "section", "text"])
    df = df.drop_duplicates("package").sort_values(["source", "package"])
    df["own"] = df.package != df.source  # False sorts first: the package named like its source wins
    df = df.sort_values(["source", "own", "package"]).drop_duplicates("source").drop(columns="own")
    df = df[df.text.str.split().str.len() >= 2].drop_duplicates("text").reset_index(drop=True)
    df.to_csv(path, index=False)
    return df


def debian_descriptions(n: int | None = None, seed: int = 0) -> pd.DataFrame:
    "`text` and `label` (the section) over `SECTIONS`, a stratified random sample of `n` rows (all if None)."
    df = all_packages()
    df = df[df.section.isin(SECTIONS)].rename(columns={"section": "label"})[["text", "label"]]
    if n is not None and n < len(df):
        df = df.groupby("label", group_keys=False).sample(frac=n / len(df), random_state=seed)
    return df.sample(frac=1, random_state=seed).reset_index(drop=True)


def other_descriptions(n: int, seed: int = 0) -> list[str]:
    "`n` descriptions of packages from any section (repeated if there are fewer), for inference."
    texts = all_packages().text.sample(frac=1, random_state=seed).tolist()
    return (texts * (n // len(texts) + 1))[:n]


if __name__ == "__main__":
    d = debian_descriptions()
    print(len(all_packages()), "source packages;", len(d), "in", SECTIONS)
    print(d.label.value_counts().to_string())
    print(d.text.str.split().str.len().describe().to_string())
