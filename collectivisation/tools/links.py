"""Links that open the series elsewhere: Binder, and any JupyterHub through nbgitpuller.

``python -m collectivisation link --hub https://hub.school.example`` prints both for this repository, so a teacher
never hand-encodes a URL. nbgitpuller merges later updates of the series into students' copies without overwriting
their own edits.

``PUBLISHED_AT`` is the one place that says where the series is published. When it is set, ``build`` puts a Binder
badge in the README and an "Open in Binder" link on every notebook's navigation line; a school that forks the series
sets it to its fork and rebuilds.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from urllib.parse import quote, urlencode, urlparse

START = "notebooks/00_start_here.ipynb"

# The public address of the repository, e.g. "https://github.com/OWNER/NAME". None until the series is published:
# a Binder link to an address nobody can reach would fail for every student who clicks it.
PUBLISHED_AT: str | None = None


def repository_address() -> str | None:
    """Where students can get this series: ``PUBLISHED_AT``, else the git remote ``origin`` if it is a public web
    address (a clone of a local folder has a path there, which neither Binder nor a JupyterHub can reach)."""
    if PUBLISHED_AT:
        return PUBLISHED_AT
    try:
        result = subprocess.run(["git", "remote", "get-url", "origin"], cwd=Path(__file__).parent,
                                capture_output=True, text=True)
    except OSError:
        return None
    address = result.stdout.strip()
    if address.startswith("git@github.com:"):
        address = "https://github.com/" + address.split(":", 1)[1]
    return address.removesuffix(".git") if address.startswith("https://") else None


def binder_link(repo: str, branch: str = "HEAD", notebook: str = START) -> str:
    """mybinder.org opening JupyterLab at ``notebook``; GitHub repositories get Binder's short form."""
    parsed = urlparse(repo)
    path = parsed.path.strip("/").removesuffix(".git")
    if parsed.netloc == "github.com":
        base = f"https://mybinder.org/v2/gh/{path}/{branch}"
    else:
        base = f"https://mybinder.org/v2/git/{quote(repo, safe='')}/{branch}"
    return f"{base}?{urlencode({'urlpath': f'lab/tree/{notebook}'})}"


def hub_link(hub: str, repo: str, branch: str = "main", notebook: str = START) -> str:
    """An nbgitpuller link: the hub clones (or updates) the series into the student's home and opens ``notebook``."""
    folder = urlparse(repo).path.rstrip("/").split("/")[-1].removesuffix(".git")
    query = urlencode({"repo": repo, "branch": branch, "urlpath": f"lab/tree/{folder}/{notebook}"})
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"
