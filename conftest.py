"""Shared test set-up, including how the suite runs the series' notebooks: each one once per test run.

Every numbered notebook of notebooks/, extensions/ and solutions/ is collected as a test file of its own, executed
once by the build's executor (``build.built_files``: a fresh kernel, an empty folder, streams coalesced), and that
one run serves every check of it:

- ``outputs``: each code cell prints what the committed notebook shows (a changed number fails, naming the notebook,
  the cell, and the text expected and got), and no cell raises or warns;
- ``rebuild``: the notebook rebuilds byte for byte, charts' plotly JSON included; for a solution, so do its exercise
  and its entries in the answer key.

The blank exercises are run once too, by the grader (tests/test_grade.py grades a class that hands in every exercise
blank), and that run proves they start with no error or warning.

Being files, the notebooks are shared out among pytest-xdist's workers one by one (``--dist loadfile``). With
``pytest --nbval`` they are left to nbval instead (cell by cell, in the notebook's own folder); nbval then skips the
plotly JSON that its sanitisers cannot reach, and starts its kernels on private sockets like the build.
"""

from __future__ import annotations

import os
import re
from functools import cached_property

import pytest

SKIPPED_OUTPUTS = ("application/vnd.plotly.v1+json", "text/html")
SERIES_NOTEBOOK = re.compile(r"[0-9][0-9]_.*\.ipynb")


def pytest_configure(config):
    """nbval starts its kernels on TCP ports that another test process can be handed at the same moment, and a
    kernel that loses that race dies at start-up. It gets the build's private socket files instead (see
    collectivisation/tools/kernels.py)."""
    import nbval.kernel

    from collectivisation.tools.kernels import PrivateKernelManager

    nbval.kernel.KernelManager = PrivateKernelManager


def pytest_collectstart(collector):
    import nbval.plugin

    if isinstance(collector, nbval.plugin.IPyNbFile):
        collector.skip_compare += SKIPPED_OUTPUTS


def pytest_xdist_auto_num_workers(config):
    """``-n auto``: one worker more than there are cores. Each worker spends part of its time waiting (for a kernel
    to start, for Chromium, for nbgrader's commands), and the extra worker fills those gaps: on two cores the suite
    took 94 s with three workers against 100-107 s with two."""
    return (os.cpu_count() or 1) + 1


#: The test files that take longest (a class graded, the site drawn in a browser, nbgrader's own environment). They
#: are handed to pytest-xdist's workers first, so that the notebooks and the quick tests fill the gaps after them
#: instead of one worker finishing a long file alone at the end.
LONGEST_FIRST = ("test_grade.py", "test_site.py", "test_nbgrader.py")


def pytest_collection_modifyitems(items):
    def rank(item):
        name = item.path.name
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: within a file, and among the others, the order stays as collected


def pytest_collect_file(file_path, parent):
    from collectivisation.tools.paths import SERIES_DIRS

    if parent.config.option.nbval or not SERIES_NOTEBOOK.fullmatch(file_path.name):
        return None
    if file_path.parent.name in SERIES_DIRS:
        return SeriesNotebook.from_parent(parent, path=file_path)
    return None


class NotebookCheck(pytest.Item):
    """One check of a notebook, made on the notebook's single run; its failure message is the whole report."""

    def __init__(self, *, check, **kwargs):
        super().__init__(**kwargs)
        self.check = check

    def runtest(self):
        failures = self.check()
        if failures:
            raise NotebookFailure("\n".join(map(str, failures)))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, NotebookFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, f"{self.parent.label}::{self.name}"


class NotebookFailure(Exception):
    """A notebook check found problems; the message lists them, one per cell."""


class SeriesNotebook(pytest.File):
    """A notebook or solution of the series, run once when its first check needs it."""

    @property
    def label(self) -> str:
        return f"{self.path.parent.name}/{self.path.name}"

    def collect(self):
        yield NotebookCheck.from_parent(self, name="outputs", check=self.output_problems)
        yield NotebookCheck.from_parent(self, name="rebuild", check=self.rebuild_differences)

    @cached_property
    def built(self) -> dict:
        """What the build makes of this notebook (and, for a solution, its exercise and key), or why it cannot."""
        from collectivisation.tools.build import BuildError, built_files

        try:
            return built_files(only=[self.path.resolve()], guides=False)
        except BuildError as error:
            return {"error": str(error)}

    def _build_error(self) -> list[str]:
        return [self.built["error"]] if "error" in self.built else []

    def output_problems(self) -> list:
        import nbformat

        from collectivisation.tools.outputs import problems

        if self._build_error():
            return self._build_error()
        committed = nbformat.read(self.path, as_version=4)
        return problems(self.label, committed, nbformat.reads(self.built[self.path.resolve()], as_version=4))

    def rebuild_differences(self) -> list[str]:
        """The notebook, and a solution's exercise and answer-key entries, differ from what the build makes."""
        from collectivisation.tools.outputs import differences
        from collectivisation.tools.paths import EXERCISES, ROOT, answer_key_path

        if self._build_error():
            return self._build_error()
        own = {self.path.resolve(), ROOT / EXERCISES / self.path.name, answer_key_path(ROOT)}
        found = differences({path: text for path, text in self.built.items() if path in own}, ROOT)
        return ["out of date; run `python -m collectivisation build`:", *found] if found else []


def tool_environment(name, lock):
    """The bin folder of build/NAME-venv, made on first use from LOCK (a pinned requirements file).

    Some tools the tests drive (nbgrader, repo2docker) pin their own Jupyter stack, so they get an environment of
    their own instead of joining the series' lock.
    """
    import os
    import subprocess
    import venv
    from pathlib import Path

    root = Path(__file__).resolve().parent
    folder = root / "build" / f"{name}-venv"
    bin_dir = folder / ("Scripts" if os.name == "nt" else "bin")
    marker = folder / "installed.txt"
    if not marker.exists() or marker.read_text() != (root / lock).read_text():
        venv.create(folder, with_pip=True, clear=True)
        subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q", "-r", str(root / lock)], check=True)
        marker.write_text((root / lock).read_text())
    return bin_dir
