"""Scratch folders of the demo and the crawl benchmark: emptied before each run, but only if theirs.

Both take a folder on the command line (`--folder`) and start from an empty one. A mistyped folder
(`--folder .`, a home folder) must not be deleted: a folder is emptied only when it holds nothing
but what such a run writes into it; anything else stops the run with the names it found.
"""

from __future__ import annotations

import fnmatch
import shutil
from collections.abc import Iterable
from pathlib import Path

from crawlers.exceptions import ScratchFolderError


def fresh_folder(folder: Path, made: Iterable[str]) -> None:
    """Empty and create `folder` for a run that writes the entries `made` (names or glob patterns)."""
    patterns = tuple(made)
    if folder.is_dir():
        names = sorted(entry.name for entry in folder.iterdir())
        foreign = [name for name in names if not any(fnmatch.fnmatch(name, p) for p in patterns)]
        if foreign:
            shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
            raise ScratchFolderError(
                f"{folder} holds files this command did not make ({shown}); it empties its folder "
                "first, so give a new folder or one it made before"
            )
        shutil.rmtree(folder)
    elif folder.exists():
        raise ScratchFolderError(f"{folder} is a file, not a folder")
    folder.mkdir(parents=True)
