"""Exercises and the answer key, both made from the solution notebooks: the single source of every question.

A solution notebook marks each answer the way nbgrader does, so that a course running nbgrader can use it as it is:

- the answer cell has ``nbgrader`` metadata (``grade_id``, ``solution: true``) and, for this package, a
  ``collectivisation`` entry: the answer ``kind`` (number, text, frame, figure, written), the ``variable`` that holds
  it, a ``hint``, one sentence of ``context``, ``points`` and, for written answers, a ``rubric``; the answer itself
  sits between ``### BEGIN SOLUTION`` and ``### END SOLUTION``;
- a grading cell between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS`` asserts the check, for nbgrader's
  autograder.

From that, ``exercise_from`` writes the student's notebook (each solution replaced by ``variable = ...``, hidden tests
removed, outputs cleared) and ``key_entries`` the answer key that ``check`` reads.
"""

from __future__ import annotations

import copy
import json
import re

import nbformat

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
HIDDEN = "### BEGIN HIDDEN TESTS"
_SOLUTION = re.compile(rf"^[ \t]*{BEGIN}\n.*?^[ \t]*{END}[ \t]*\n?", re.S | re.M)
_ASSIGNED = re.compile(r"^([A-Za-z_]\w*)\s*=(?!=)", re.M)
_MARKER = re.compile(rf"^[ \t]*({BEGIN}|{END})[ \t]*$", re.M)


class MarkerError(ValueError):
    """A solution marker without its partner: the exercise would show the worked answer, so nothing is written."""


def check_markers(notebook) -> None:
    """Raise ``MarkerError``, naming the cell, if any code cell has a BEGIN SOLUTION without its END SOLUTION or
    an END without a BEGIN (either would leave the answer, or a stray marker, in the student's copy)."""
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        expected = BEGIN
        for marker in _MARKER.findall(cell.source):
            if marker != expected:
                raise MarkerError(f"cell {index} (id {cell.get('id', '?')}) has `{marker}` where `{expected}` "
                                  "should come first; every answer sits between one BEGIN and one END SOLUTION.")
            expected = END if marker == BEGIN else BEGIN
        if expected == END:
            raise MarkerError(f"cell {index} (id {cell.get('id', '?')}) has `{BEGIN}` without `{END}` after it.")


def questions(notebook) -> list[dict]:
    """Every question of a solution notebook: its id and its ``collectivisation`` metadata."""
    found = []
    for cell in notebook.cells:
        spec = cell.metadata.get("collectivisation")
        if spec and cell.metadata.get("nbgrader", {}).get("solution"):
            found.append({"id": cell.metadata["nbgrader"]["grade_id"], **spec})
    return found


def _placeholder(match: re.Match) -> str:
    names = list(dict.fromkeys(_ASSIGNED.findall(match.group(0))))
    return "".join(f"{name} = ...\n" for name in names) or "...\n"


def exercise_from(solution) -> nbformat.NotebookNode:
    """The student's copy of a solution notebook: answers blanked, grading tests gone, no outputs.

    Every code cell is tagged ``nbval-ignore-output``: an exercise must run from top to bottom, but what it prints
    depends on the student.
    """
    exercise = copy.deepcopy(solution)
    cells = []
    for cell in exercise.cells:
        if HIDDEN in cell.source:
            continue
        if cell.cell_type == "code":
            cell.source = _SOLUTION.sub(_placeholder, cell.source)
            cell.outputs, cell.execution_count = [], None
            tags = cell.metadata.setdefault("tags", [])
            if "nbval-ignore-output" not in tags:
                tags.append("nbval-ignore-output")
        cells.append(cell)
    exercise.cells = cells
    return exercise


EXPORT_CELL = """import json as _json
def _export(value):
    import pandas as _pd
    if isinstance(value, _pd.Series):
        value = value.reset_index()
    if isinstance(value, _pd.DataFrame):
        return {"columns": [str(c) for c in value.columns],
                "data": value.astype(object).where(value.notna(), None).values.tolist()}
    return value.item() if hasattr(value, "item") else value
print(_json.dumps({name: _export(globals().get(name)) for name in %s}))"""


def export_cell(notebook) -> nbformat.NotebookNode:
    """A code cell that prints, as JSON, the value of every answer variable of an executed solution."""
    names = [q["variable"] for q in questions(notebook) if q["kind"] in ("number", "text", "frame")]
    return nbformat.v4.new_code_cell(EXPORT_CELL % json.dumps(names))


def key_entries(notebook, exported: dict) -> dict:
    """The answer key of one solution notebook, given the values its export cell printed."""
    key = {}
    for question in questions(notebook):
        entry = {k: v for k, v in question.items() if k != "id"}
        if question["kind"] in ("number", "frame"):
            entry["answer"] = exported[question["variable"]]
        if question["kind"] == "text":
            entry["accept"] = list(dict.fromkeys([exported[question["variable"]], *question.get("accept", [])]))
        key[question["id"]] = entry
    return key
