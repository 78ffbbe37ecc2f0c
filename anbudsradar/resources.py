"""Where the Jinja2 templates are: one lookup for the web pages and the digest e-mails.

The templates live in templates/ at the root of the checkout (web/ and email/). A wheel installs
them as the data-only package `anbudsradar.templates` (pyproject.toml maps the folder there), so an
installed copy finds them inside the package, and a checkout or an editable install beside its code.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def templates_dir() -> Path:
    """Return the templates folder: the installed package's copy first, else templates/ of the checkout."""
    candidates = (_PACKAGE_DIR / "templates", _PACKAGE_DIR.parent / "templates")
    for folder in candidates:
        if (folder / "web").is_dir() and (folder / "email").is_dir():
            return folder
    tried = " or ".join(str(folder) for folder in candidates)
    raise FileNotFoundError(
        f"the Jinja2 templates (web/ and email/) are neither in {tried}; "
        "reinstall anbudsradar (pip install .) or run it from a complete checkout"
    )
