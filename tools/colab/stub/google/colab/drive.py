"`drive.mount` without Google: the mount point becomes a link to a local folder with a `MyDrive` inside."
import os, tempfile
from pathlib import Path

def mount(mountpoint: str, force_remount: bool = False, timeout_ms: int = 120000, readonly: bool = False):
    target = Path(os.environ.get("COLAB_STUB_DRIVE") or tempfile.mkdtemp(prefix="colab-drive-"))
    (target/"MyDrive").mkdir(parents=True, exist_ok=True)
    mp = Path(mountpoint)
    if mp.is_symlink() and mp.resolve() == target.resolve(): print(f"Drive already mounted at {mountpoint}"); return
    mp.parent.mkdir(parents=True, exist_ok=True)
    mp.symlink_to(target, target_is_directory=True)
    print(f"Mounted at {mountpoint}")
