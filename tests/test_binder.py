"""Binder builds the series from environment.yml: repo2docker's recipe (rendered with --no-build, no Docker engine
needed) installs that file, after copying the repository, so its `-r requirements.txt` and `-e .` resolve.

repo2docker runs in its own environment (build/repo2docker-venv, made from requirements-binder.txt on first use
by conftest.tool_environment).
"""

import subprocess
from pathlib import Path

from conftest import tool_environment

ROOT = Path(__file__).resolve().parent.parent


def test_binder_recipe_installs_environment_yml_after_copying_the_repository():
    repo2docker = tool_environment("repo2docker", "requirements-binder.txt") / "repo2docker"
    result = subprocess.run([str(repo2docker), "--no-build", "--debug", str(ROOT)],
                            capture_output=True, text=True, check=True)
    recipe = result.stdout + result.stderr
    install = recipe.index('--file "environment.yml"')
    copy = recipe.index("src/ ${REPO_DIR}/")  # the repository itself
    assert copy < install, "the repository must be in the image before environment.yml's pip section runs"
