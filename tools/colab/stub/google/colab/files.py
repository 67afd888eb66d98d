"`files.upload` without a browser: copies `$COLAB_STUB_UPLOAD` (default: a bundled sample X archive) into the working folder."
import os
from pathlib import Path

def upload(target_dir: str = "") -> dict:
    src = os.environ.get("COLAB_STUB_UPLOAD")
    if not src:
        from hugtweets.samples import sample_archive
        src = sample_archive("mayabakesbread")
    data = Path(src).read_bytes()
    name = Path(src).name
    (Path(target_dir or ".")/name).write_bytes(data)
    print(f"Saving {name} to {name}")
    return {name: data}

def download(filename: str): print(f"(download of {filename} skipped: no browser)")
