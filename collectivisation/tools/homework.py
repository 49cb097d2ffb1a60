"""Exercises and the answer key, both made from the notebooks: the single source of every question.

A solution notebook marks each answer the way nbgrader does, so that a course running nbgrader can use it as it is:

- the answer cell has ``nbgrader`` metadata (``grade_id``, ``solution: true``) and, for this package, a
  ``collectivisation`` entry (the question's spec, below); the answer itself sits between ``### BEGIN SOLUTION`` and
  ``### END SOLUTION``;
- a grading cell between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS`` asserts the check, for nbgrader's
  autograder.

A core notebook (``notebooks/``) has no solution notebook: its checkpoint cells (``cp1 = ...`` then
``cz.check("nb02_cp1", cp1)``) carry the whole spec, answer included, in their ``collectivisation`` metadata, with
the question's ``id`` there too.

The spec, by key:

- ``kind``: ``number``, ``text``, ``choice``, ``frame``, ``figure`` or ``written``; ``variable``: the name that holds
  the answer; ``points``; ``context``: one sentence of history shown with "correct!";
- ``nudge`` (optional): one line shown after the first wrong attempt: where to look; ``hint``: shown after later
  ones: the method in words (which table, which rows, which column, a function's name at most), never the code;
- ``number``: ``tolerance`` (how far from the answer is still right) and, only if the question asks for a rounded
  answer, ``decimals`` (the answer rounded to that many decimals is right too);
- ``text``: ``accept``, other spellings that are right;
- ``choice``: ``options`` (letter -> option text), ``answer`` (a letter), ``feedback`` (wrong letter -> a sentence
  that names the misconception behind that option);
- ``figure``: ``min_traces``; ``x`` and ``y``, the columns the chart must plot (a student's figure must plot the
  same values as the solution's); ``unit``, text the y-axis title must contain; ``source_note: true``, the figure
  must carry the source line of ``cz.finish``;
- ``written``: ``min_words``, a ``rubric`` (level ``"name (N)"`` -> what an answer at that level does, e.g.
  ``"full (3)"``, ``"partial (2)"``, ``"minimal (1)"``) and ``examples`` (the same levels -> an example answer, a
  realistic student's answer at that level, long enough to be saved: a weak one is weak in what it says). The
  top level's example is the indicative answer (``indicative``): there is no second copy of it;
- ``skill`` (every question of a solution): ``"history"`` when the points reward historical reasoning (judging a
  source, choosing between estimates, spotting what misleads in a chart, reading a document closely, a
  counter-argument: written answers and choice questions on those), ``"code"`` when they reward computing or
  drawing. At least 45 % of the points of the exercises are on ``history`` (tests/test_assessment.py);
- in a checkpoint, ``answer`` for number, text and choice.

From that, ``exercise_from`` writes the student's notebook (each solution replaced by ``variable = ...``, hidden tests
removed, outputs cleared), and ``key_entries`` and ``checkpoint_entries`` the answer key that ``check`` reads.

The answer key (``collectivisation/answer_key.json``) is one JSON object: question id -> the spec above without
``id``, plus ``source`` (``"solutions"`` or ``"notebooks"``: where the question is asked) and the right answer:
``answer`` (a number, a letter for ``choice``, or ``{"columns": [...], "data": [[...], ...]}`` for ``frame``) or,
for ``text``, ``accept`` (every right spelling). A ``choice`` answer is a string, so a tool that exports or grades
answers handles it as it handles ``text``; a ``figure`` answer is ``{"x": [...], "y": [...]}``, the distinct
values the solution's figure plots; only questions whose ``source`` is ``"solutions"`` are in the exercises.
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


KINDS = ("number", "text", "choice", "frame", "figure", "written")
#: The kinds whose answer a checkpoint states in its metadata (a solution computes it, or states it for choice).
STATED = ("number", "text", "choice")


def questions(notebook) -> list[dict]:
    """Every question of a notebook, as its id and its ``collectivisation`` metadata: a solution's answer cells
    (the id is nbgrader's ``grade_id``) or a core notebook's checkpoint cells (the id is in the metadata)."""
    found = []
    for cell in notebook.cells:
        spec = cell.metadata.get("collectivisation")
        nbgrader = cell.metadata.get("nbgrader", {})
        if spec and nbgrader.get("solution"):
            found.append({**spec, "id": nbgrader["grade_id"]})
        elif spec and "id" in spec:
            found.append(dict(spec))
    return found


def problems(question: dict, checkpoint: bool) -> list[str]:
    """What a question's spec lacks for ``check`` to work, each as a sentence (none if it is complete)."""
    qid, kind = question.get("id"), question.get("kind")
    if kind not in KINDS:
        return [f"{qid}: kind {kind!r} is not one of {', '.join(KINDS)}"]
    stated_by = "accept" if kind == "text" and "accept" in question else "answer"  # a text may list its spellings
    needed = ["variable", "points"] + ([stated_by] if checkpoint and kind in STATED else [])
    needed += {"choice": ["options", "answer"], "written": ["rubric", "examples"]}.get(kind, [])
    found = [f"{qid}: the metadata needs {key!r}" for key in dict.fromkeys(needed) if key not in question]
    if kind == "written" and not found and set(question["examples"]) != set(question["rubric"]):
        found.append(f"{qid}: 'examples' needs one example answer per rubric level, {', '.join(question['rubric'])}")
    if kind == "written" and "indicative" in question:
        found.append(f"{qid}: 'indicative' is a second copy of the model answer: make it the example of the top "
                     "rubric level in 'examples' instead")
    if kind == "choice" and not found and str(question["answer"]) not in question["options"]:
        found.append(f"{qid}: the answer {question['answer']!r} is not one of the options "
                     f"{', '.join(question['options'])}")
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
    if hasattr(value, "to_plotly_json"):
        from collectivisation.answers import plotted
        return plotted(value)
    if isinstance(value, _pd.Series):
        value = value.reset_index()
    if isinstance(value, _pd.DataFrame):
        return {"columns": [str(c) for c in value.columns],
                "data": value.astype(object).where(value.notna(), None).values.tolist()}
    return value.item() if hasattr(value, "item") else value
print(_json.dumps({name: _export(globals().get(name)) for name in %s}))"""


def export_cell(notebook) -> nbformat.NotebookNode:
    """A code cell that prints, as JSON, the value of every answer variable of an executed solution."""
    names = [q["variable"] for q in questions(notebook) if q["kind"] in ("number", "text", "frame", "figure")]
    return nbformat.v4.new_code_cell(EXPORT_CELL % json.dumps(names))


def key_entries(notebook, exported: dict) -> dict:
    """The answer key of one solution notebook, given the values its export cell printed (a ``choice`` answer is
    the letter in the metadata, which the solution's own check confirms; a ``figure`` answer is what the
    solution's figure plots, ``answers.plotted``)."""
    key = {}
    for question in questions(notebook):
        entry = {k: v for k, v in question.items() if k != "id"}
        if question["kind"] in ("number", "frame", "figure"):
            entry["answer"] = exported[question["variable"]]
        if question["kind"] == "text":
            entry["accept"] = _accepted(exported[question["variable"]], question)
        key[question["id"]] = {**entry, "source": "solutions"}
    return key


def checkpoint_entries(notebook) -> dict:
    """The answer key of a core notebook's checkpoints: every answer is in the metadata, nothing needs running."""
    key = {}
    for question in questions(notebook):
        entry = {k: v for k, v in question.items() if k != "id"}
        if question["kind"] == "text":
            entry["accept"] = _accepted(entry.pop("answer", None), question)
        key[question["id"]] = {**entry, "source": "notebooks"}
    return key


def _accepted(answer: str, question: dict) -> list[str]:
    """Every right spelling of a text answer: the answer first, then the question's ``accept``."""
    return list(dict.fromkeys([*([answer] if answer is not None else []), *question.get("accept", [])]))


def levels_by_points(levels: dict) -> list[tuple[str, str]]:
    """A rubric's levels (or their example answers) from the most points to the least, whatever order the metadata
    keeps them in: a level named "partial (2)" is worth 2 points; a level without points keeps its place."""
    def points(item):
        found = re.search(r"\((\d+)\)\s*$", item[0])
        return -int(found.group(1)) if found else 0
    return sorted(levels.items(), key=points)
