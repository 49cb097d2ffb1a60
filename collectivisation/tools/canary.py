"""The newest-releases canary: will the series still run, unchanged and without warnings, on next term's packages?

The series is tested on its lock (requirements.txt), so CI stays green while pandas, plotly or Jupyter move on, until
the day a student installs the newest releases and meets a warning or a changed number. ``python -m collectivisation
canary`` finds that day early. It

1. makes a throwaway virtual environment and installs into it the packages named in requirements.in *without* their
   pins (so the newest release of each, and of everything they need), and this project (editable);
2. runs every notebook of notebooks/, solutions/ and exercises/ in that environment, with the build's own executor
   (``build.execute``) started by that environment's Python, so kernel and executor are both the newest;
3. prints one list: each error, each warning (stderr, or warning text in an output) and each changed printed output
   against the committed notebook (see ``outputs.py``; a blank exercise is only checked for errors and warnings),
   and exits 1 if the list is not empty.

Deprecation warnings, hidden from students by default, are shown in the canary's kernels: they are next year's
errors. ``--keep DIR`` keeps the environment and the executed notebooks in DIR (and reuses the environment, upgraded,
on the next run). Run as ``python -m collectivisation.tools.canary OUT NOTEBOOK...`` (by the canary itself, inside the
new environment) this module executes the notebooks into OUT.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

import nbformat

from .outputs import WARNING_TEXT, Problem, errors_and_warnings, problems
from .paths import EXERCISES, ROOT, SERIES_DIRS

REQUIREMENTS = ROOT / "requirements.in"
FOLDERS = (*SERIES_DIRS, EXERCISES)  # notebooks, extensions, solutions, then the exercises made from them
#: Shown in the canary's kernels and executor: deprecations are hidden by default, and they are what breaks next.
KERNEL_WARNINGS = "default::DeprecationWarning,default::PendingDeprecationWarning"


class CanaryError(Exception):
    """The canary could not get as far as running the notebooks (no network, an install that fails)."""


def requirement_names(path: Path = REQUIREMENTS) -> list[str]:
    """The package names of a requirements file, without versions, markers or comments."""
    names = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*(\[[^\]]*\])?)", line.split("#", 1)[0])
        if match:
            names.append(match.group(1))
    return names


def series_notebooks(root: Path = ROOT) -> list[Path]:
    """Every numbered notebook the canary runs."""
    return [path for folder in FOLDERS for path in sorted((root / folder).glob("[0-9][0-9]_*.ipynb"))]


def environment_python(folder: Path) -> Path:
    return folder / ("Scripts" if os.name == "nt" else "bin") / ("python.exe" if os.name == "nt" else "python")


def make_environment(folder: Path) -> Path:
    """A virtual environment in ``folder`` with the newest release of every requirement, and this project."""
    python = environment_python(folder)
    if not python.exists():
        venv.create(folder, with_pip=True)
    command = [str(python), "-m", "pip", "install", "-q", "--upgrade", "--upgrade-strategy", "eager",
               *requirement_names(), "-e", str(ROOT)]
    finished = subprocess.run(command, capture_output=True, text=True)
    if finished.returncode != 0:
        raise CanaryError("Installing the newest releases failed (is PyPI reachable?):\n" + finished.stderr.strip())
    return python


def installed_versions(python: Path) -> dict[str, str]:
    """The versions the environment got of the packages requirements.in names."""
    listed = subprocess.run([str(python), "-m", "pip", "list", "--format=json"], capture_output=True, text=True,
                            check=True).stdout
    versions = {_canonical(item["name"]): item["version"] for item in json.loads(listed)}
    return {name: versions.get(_canonical(name), "?") for name in requirement_names()}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name.split("[")[0]).lower()


def run_notebooks(python: Path, notebooks: list[Path], out: Path) -> str:
    """Execute ``notebooks`` into ``out`` with the environment's Python; return what the executor wrote to stderr."""
    environment = {**os.environ, "PYTHONWARNINGS": KERNEL_WARNINGS}
    finished = subprocess.run([str(python), "-m", "collectivisation.tools.canary", str(out), *map(str, notebooks)],
                              capture_output=True, text=True, env=environment, cwd=ROOT)
    return finished.stderr


def executed_path(out: Path, notebook: Path) -> Path:
    return out / notebook.parent.name / notebook.name


def report(notebooks: list[Path], out: Path, executor_stderr: str) -> list[Problem]:
    """Every problem of every run notebook, in order, then the executor's own warnings."""
    found = []
    for notebook in notebooks:
        label = f"{notebook.parent.name}/{notebook.name}"
        failed = executed_path(out, notebook).with_suffix(".failed")
        if failed.exists():
            found.append(Problem(label, None, "error", "did not run to the end: " + failed.read_text(encoding="utf-8")))
            continue
        executed = nbformat.read(executed_path(out, notebook), as_version=4)
        if notebook.parent.name == EXERCISES:  # blank, so it prints what no committed copy shows
            found += errors_and_warnings(label, executed)
        else:
            found += problems(label, nbformat.read(notebook, as_version=4), executed)
    found += executor_warnings(executor_stderr)
    return found


def executor_warnings(stderr: str) -> list[Problem]:
    """Warnings the executor itself (nbclient, jupyter_client) printed while running the notebooks."""
    return [Problem("the executor", None, "warning", line.strip()) for line in stderr.splitlines()
            if WARNING_TEXT.search(line)]


def canary(keep: Path | None = None, notebooks: list[Path] | None = None) -> int:
    """Run the canary and print its list; 0 if the series runs cleanly on the newest releases, else 1."""
    notebooks = notebooks or series_notebooks()
    with tempfile.TemporaryDirectory() as scratch:
        folder = keep.resolve() if keep else Path(scratch)
        print(f"Installing the newest releases into {folder / 'venv'} …", flush=True)
        try:
            python = make_environment(folder / "venv")
        except CanaryError as error:
            print(error)
            return 2
        versions = installed_versions(python)
        print("Newest releases: " + ", ".join(f"{name} {version}" for name, version in versions.items()))
        print(f"Running {len(notebooks)} notebooks …", flush=True)
        stderr = run_notebooks(python, notebooks, folder / "executed")
        found = report(notebooks, folder / "executed", stderr)
    for problem in found:
        print(f"- {problem}")
    if found:
        print(f"{len(found)} problem(s) on the newest releases. Fix them in collectivisation/ or data/ where you can, "
              "so the notebooks run cleanly on both the lock and the newest releases.")
        return 1
    print("No problems: every notebook runs without an error, a warning or a changed output on the newest releases.")
    return 0


def _execute_into(out: Path, notebooks: list[Path]) -> None:
    """The half that runs inside the canary's environment: each notebook executed (past errors) and saved in
    ``out``; a notebook that cannot be run to the end (a dead kernel, a timeout) gets a ``.failed`` note instead."""
    from .build import execute

    for path in notebooks:
        target = executed_path(out, path)
        target.parent.mkdir(parents=True, exist_ok=True)
        notebook = nbformat.read(path, as_version=4)
        try:
            execute(notebook, allow_errors=True)
        except Exception as error:  # noqa: BLE001 - any failure is the canary's news, reported by name
            target.with_suffix(".failed").write_text(f"{type(error).__name__}: {error}", encoding="utf-8")
            continue
        nbformat.write(notebook, target)


if __name__ == "__main__":
    _execute_into(Path(sys.argv[1]), [Path(name) for name in sys.argv[2:]])
