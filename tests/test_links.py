"""Binder and nbgitpuller links, in the formats mybinder.org and nbgitpuller document."""

from collectivisation.__main__ import main
from collectivisation.links import binder_link, hub_link

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
