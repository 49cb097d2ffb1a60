"""Where things are, and the names the maintainer tools share: one place for each, so no tool spells them again.

Everything here is a plain constant; importing it costs nothing.
"""

from __future__ import annotations

from pathlib import Path

#: The project's root folder: the one with README.md, data/, notebooks/, solutions/ and exercises/.
ROOT = Path(__file__).resolve().parent.parent.parent
NOTEBOOKS = "notebooks"
SOLUTIONS = "solutions"
EXERCISES = "exercises"
#: Notebooks that go further than a lesson: for fast or curious students, each beside its core notebook's number.
EXTENSIONS = "extensions"
#: The folders whose numbered notebooks are the series' own writing (exercises/ is made from solutions/).
SERIES_DIRS = (NOTEBOOKS, EXTENSIONS, SOLUTIONS)
FLOOR = ROOT / "benchmarks" / "floor.ipynb"
#: How plotly figures travel in a notebook's outputs (plotly under nbclient emits only this).
PLOTLY_MIME = "application/vnd.plotly.v1+json"


def answer_key_path(root: Path = ROOT) -> Path:
    """The answer key that ``check()`` reads: generated from solutions/ by ``build``, shipped in the package."""
    return root / "collectivisation" / "answer_key.json"
