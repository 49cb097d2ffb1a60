"""Binder builds the series from environment.yml: repo2docker's recipe (rendered with --no-build, no Docker engine
needed) installs that file, after copying the repository, so its `-r requirements.txt` and `-e .` resolve.

repo2docker runs in its own environment (build/repo2docker-venv, made from requirements-binder.txt on first use).
"""

import os
import subprocess
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "build" / "repo2docker-venv"


def repo2docker() -> Path:
    executable = VENV / ("Scripts" if os.name == "nt" else "bin") / "repo2docker"
    if not executable.exists():
        venv.create(VENV, with_pip=True)
        subprocess.run([str(executable.parent / "python"), "-m", "pip", "install", "-q", "-r",
                        str(ROOT / "requirements-binder.txt")], check=True)
    return executable


def test_binder_recipe_installs_environment_yml_after_copying_the_repository():
    result = subprocess.run([str(repo2docker()), "--no-build", "--debug", str(ROOT)],
                            capture_output=True, text=True, check=True)
    recipe = result.stdout + result.stderr
    install = recipe.index('--file "environment.yml"')
    copy = recipe.index("src/ ${REPO_DIR}/")  # the repository itself
    assert copy < install, "the repository must be in the image before environment.yml's pip section runs"
