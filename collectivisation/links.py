"""Links that open the series elsewhere: Binder, and any JupyterHub through nbgitpuller.

``python -m collectivisation link --hub https://hub.school.example`` prints both for this repository (its public
address is read from the git remote ``origin``, or given with ``--repo``), so a teacher never hand-encodes a URL.
nbgitpuller merges later updates of the series into students' copies without overwriting their own edits.
"""

from __future__ import annotations

import subprocess
from urllib.parse import quote, urlencode, urlparse

from .build import ROOT

START = "notebooks/00_start_here.ipynb"


def repository_address() -> str | None:
    """The public address of this checkout (git remote ``origin``), or None if it has none."""
    try:
        result = subprocess.run(["git", "remote", "get-url", "origin"], cwd=ROOT, capture_output=True, text=True)
    except OSError:
        return None
    address = result.stdout.strip()
    if address.startswith("git@github.com:"):
        address = "https://github.com/" + address.split(":", 1)[1]
    return address.removesuffix(".git") or None


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
