"""How long a notebook takes a class, estimated by one stated rule: ``python -m collectivisation bench --load``.

A lesson has 45 minutes, and a teacher planning a unit needs to know which notebooks fit. Reading time is not
measured in a classroom here, so it is estimated from what a student meets, by a rule simple enough to state in
TEACHING.md and to check by hand:

- 150 words a minute of text (markdown, without the generated navigation and without link addresses);
- 1 minute for each code cell (reading it, running it, looking at what it printed);
- 30 seconds for each table shown, 2 minutes for each chart;
- 4 minutes for each question put to the student (a checkpoint or a written answer cell).

The budget of a core notebook (02-08): at most 1,200 words, 60 lines of code, 8 lines in any chart cell, 45 minutes.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from .paths import NOTEBOOKS, PLOTLY_MIME

WORDS_PER_MINUTE = 150
MINUTES = {"code_cells": 1.0, "tables": 0.5, "charts": 2.0, "questions": 4.0}
BUDGET = {"words": 1200, "code_lines": 60, "longest_chart_cell": 8, "minutes": 45}
_GENERATED = "written by `python -m collectivisation build`"
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def _words(markdown: str) -> int:
    """Words a student reads: link text counts, the link's address and HTML comments do not."""
    return len(_LINK.sub(r"\1", _COMMENT.sub("", markdown)).split())


def _code_lines(source: str) -> int:
    """Lines a student reads in a code cell: not blank, not a comment line."""
    return sum(1 for line in source.splitlines() if line.strip() and not line.lstrip().startswith("#"))


def _is_question(cell) -> bool:
    return "collectivisation" in cell.metadata or "nbgrader" in cell.metadata and cell.metadata["nbgrader"].get(
        "solution", False)


def lesson_load(path: Path, notebook=None) -> dict:
    """The figures of the rule for one notebook, its estimated minutes, and whether it keeps a core budget.

    ``notebook`` is the notebook at ``path`` when the caller already holds a newer one than the file (the build,
    before it writes what it ran)."""
    notebook = nbformat.read(path, as_version=4) if notebook is None else notebook
    figures = dict(words=0, code_cells=0, code_lines=0, tables=0, charts=0, questions=0, longest_chart_cell=0)
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and _GENERATED not in cell.source:
            figures["words"] += _words(cell.source)
        if cell.cell_type != "code":
            continue
        lines = _code_lines(cell.source)
        figures["code_cells"] += 1
        figures["code_lines"] += lines
        figures["questions"] += _is_question(cell)
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if PLOTLY_MIME in data:
                figures["charts"] += 1
                figures["longest_chart_cell"] = max(figures["longest_chart_cell"], lines)
            elif "<table" in str(data.get("text/html", "")):
                figures["tables"] += 1
    minutes = figures["words"] / WORDS_PER_MINUTE + sum(figures[name] * each for name, each in MINUTES.items())
    figures["minutes"] = round(minutes, 1)
    figures["core"] = path.parent.name == NOTEBOOKS and path.name[:2] not in ("00", "01", "99")
    figures["over_budget"] = [name for name, most in BUDGET.items() if figures["core"] and figures[name] > most]
    return figures


def report(paths: list[Path], root: Path) -> dict:
    """Every notebook's figures, the rule that made them, and the total minutes of each folder."""
    notebooks = {str(path.relative_to(root)): lesson_load(path) for path in paths}
    totals: dict[str, float] = {}
    for name, figures in notebooks.items():
        folder = name.split("/")[0]
        totals[folder] = round(totals.get(folder, 0) + figures["minutes"], 1)
    return {"rule": {"words_per_minute": WORDS_PER_MINUTE, "minutes_each": MINUTES}, "budget": BUDGET,
            "notebooks": notebooks, "minutes_by_folder": totals}


if __name__ == "__main__":  # python -m collectivisation.tools.load notebooks/02_*.ipynb
    import json
    import sys

    from .paths import ROOT

    print(json.dumps(report([Path(name).resolve() for name in sys.argv[1:]], ROOT), indent=1))
