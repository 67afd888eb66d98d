"""A stand-in for Colab's `google.colab` package, for tools/colab_rehearsal.sh: the lessons' `#| colab` cells run
without a browser. The rehearsal puts this folder on the kernel's path and imports it at start-up, as Colab does.

- `drive.mount(path)` links `path` to a temporary folder (`$COLAB_STUB_DRIVE`) instead of asking for Drive access;
- `files.upload()` "uploads" `$COLAB_STUB_UPLOAD` (default: a bundled sample X archive) into the working folder;
- `userdata.get(name)` reads the environment variable `name`, raising `SecretNotFoundError` as Colab does when unset.

The install cell's `%pip install hugtweets` gets the local wheel because the rehearsal sets `PIP_FIND_LINKS`, `PIP_NO_INDEX`
and `PIP_CONSTRAINT` for the kernel; nothing here changes pip.
"""
from . import drive, files, userdata
