"""Binder and nbgitpuller links, in the formats mybinder.org and nbgitpuller document."""

import re
from types import SimpleNamespace
from urllib.parse import parse_qs, urlparse

import nbformat

from collectivisation.tools import links
from collectivisation.tools.cli import main
from collectivisation.tools.build import NAV_SENTINEL, built_files
from collectivisation.tools.paths import ROOT
from collectivisation.tools.links import binder_link, hub_link

REPO = "https://github.com/a-school/weighing-collectivisation"


def test_binder_opens_jupyterlab_at_the_start_notebook():
    assert binder_link(REPO) == ("https://mybinder.org/v2/gh/a-school/weighing-collectivisation/HEAD"
                                 "?urlpath=lab%2Ftree%2Fnotebooks%2F00_start_here.ipynb")


def test_binder_takes_any_git_host():
    assert binder_link("https://gitlab.com/a/b.git").startswith("https://mybinder.org/v2/git/https%3A%2F%2Fgitlab.com%2Fa%2Fb.git/HEAD?")


def test_nbgitpuller_pulls_into_the_repository_folder_and_opens_the_notebook():
    link = hub_link("https://hub.example.org/", REPO, notebook="notebooks/05_livestock.ipynb")
    assert link == ("https://hub.example.org/hub/user-redirect/git-pull"
                    "?repo=https%3A%2F%2Fgithub.com%2Fa-school%2Fweighing-collectivisation&branch=main"
                    "&urlpath=lab%2Ftree%2Fweighing-collectivisation%2Fnotebooks%2F05_livestock.ipynb")


def test_the_command_prints_both_links(capsys):
    assert main(["link", "--repo", REPO, "--hub", "https://hub.example.org"]) == 0
    printed = capsys.readouterr().out
    assert "Binder:     https://mybinder.org/v2/gh/a-school/" in printed and "JupyterHub: https://hub.example.org/hub/" in printed


def _opens(link: str) -> str:
    """The notebook a Binder link opens, read back with the standard library (not with the code that wrote it)."""
    parsed = urlparse(link)
    assert parsed.netloc == "mybinder.org" and parsed.path == "/v2/gh/a-school/weighing-collectivisation/HEAD"
    (urlpath,) = parse_qs(parsed.query)["urlpath"]
    assert urlpath.startswith("lab/tree/")
    return urlpath.removeprefix("lab/tree/")


def test_once_published_every_notebook_opens_itself_on_binder_and_the_readme_has_the_badge(monkeypatch):
    monkeypatch.setattr(links, "PUBLISHED_AT", REPO)
    files = built_files(run=False)
    notebooks = [path for path in files if path.suffix == ".ipynb" and path.parent.name in ("notebooks", "solutions")]
    assert len(notebooks) >= 17
    for path in notebooks:
        navigation = [cell.source for cell in nbformat.reads(files[path], as_version=4).cells
                      if cell.source.startswith(NAV_SENTINEL)]
        targets = {_opens(link) for nav in navigation for link in re.findall(r"\[Open in Binder\]\(([^)]+)\)", nav)}
        assert len(navigation) == 2 and targets == {f"{path.parent.name}/{path.name}"}, path
    badges = re.findall(r"\[!\[Launch on Binder\]\([^)]+\)\]\(([^)]+)\)", files[ROOT / "README.md"])
    assert [_opens(link) for link in badges] == ["notebooks/00_start_here.ipynb"]
    assert (ROOT / "notebooks" / "00_start_here.ipynb").exists()


def test_unpublished_there_is_no_dead_binder_link_and_the_readme_says_how_to_add_one(monkeypatch):
    monkeypatch.setattr(links, "PUBLISHED_AT", None)
    files = built_files(run=False)
    assert not [path for path, text in files.items() if "mybinder.org/v2" in text]
    assert "sets `PUBLISHED_AT` in `collectivisation/tools/links.py`" in files[ROOT / "README.md"]


def test_a_clone_of_a_local_folder_has_no_public_address(monkeypatch):
    monkeypatch.setattr(links, "PUBLISHED_AT", None)
    for origin, expected in [("/work/main\n", None), ("git@github.com:a-school/weighing-collectivisation.git\n", REPO),
                             (REPO + ".git\n", REPO), ("", None)]:
        monkeypatch.setattr(links.subprocess, "run", lambda *a, out=origin, **k: SimpleNamespace(stdout=out))
        assert links.repository_address() == expected
