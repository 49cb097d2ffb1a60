"""Instant, kind feedback on exercise answers: ``check("nb05_q3", q3)``.

The right answers are not written here. They live in the solution notebooks (``solutions/``) and in the checkpoint
cells of the core notebooks (``notebooks/``), and ``python -m collectivisation build`` copies each question's answer,
hints and context into ``answer_key.json`` beside this file. A check never raises: whatever a student passes (nothing
yet, text instead of a number, a DataFrame of the wrong shape, an object that cannot even be compared) gets a sentence
saying what to do next.

Help comes in steps, so that a student tries before being told how: the first wrong attempt at a question gets what
is wrong and a ``nudge`` (where to look); every later one gets the ``hint`` (the method, in words, never the code).
The count of wrong attempts lives in the kernel, so restarting it starts again with nudges.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

#: The build points COLLECTIVISATION_KEY at a fresh key while it runs the solutions for the first time.
KEY_FILE = Path(os.environ.get("COLLECTIVISATION_KEY", Path(__file__).resolve().parent / "answer_key.json"))
REBUILD_COMMAND = "python -m collectivisation build"
#: The nudge of a question whose metadata has none: where to look, by kind of answer.
GENERIC_NUDGES = {
    "written": "reread the question: what exactly does it ask you to judge, and which figures would show it?",
    "choice": "reread each option slowly: which one says exactly what the figures show, no more and no less?",
    "figure": "look again at what the question asks the chart to show, and which table holds it.",
}
DEFAULT_NUDGE = "look again at which rows and which column the question asks for."
#: Wrong attempts so far, by question id, in this kernel: how far along the hints a student is.
_MISTAKES: Counter = Counter()


class Feedback:
    """The result of a check: true when the answer is right (``assert check(...)`` is nbgrader's hidden test)."""

    def __init__(self, question: str, status: str, message: str):
        self.question, self.status, self.message = question, status, message
        self.printed = False

    def __bool__(self) -> bool:
        return self.status == "correct"

    def __repr__(self) -> str:
        symbol = {"correct": "✅", "saved": "📝", "unanswered": "⏳", "no_key": "⚠️"}.get(self.status, "🔁")
        return f"{symbol} {self.question}: {self.message}"

    def _ipython_display_(self) -> None:
        """Jupyter shows the value of a cell's last line. ``check(...)`` has already printed its message there, so
        the Feedback it returns shows nothing more: every answer cell says its sentence once, in JupyterLab, in the
        saved outputs the static site renders, under nbval and in the grader. A quiet check printed nothing, so on
        its own line it shows its message."""
        if not self.printed:
            print(repr(self))


@lru_cache(maxsize=1)
def answer_key() -> dict:
    """Every question of the series, by id, as the build wrote it; empty if the key is missing or unreadable."""
    try:
        return json.loads(KEY_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def check(question: str, answer=..., quiet: bool = False) -> Feedback:
    """Say whether ``answer`` is right for ``question``, with a nudge or a hint if not. Never raises.

    ``quiet`` checks (nbgrader's hidden tests, the grader) print nothing and do not count as a student's attempt.
    """
    try:
        feedback = _check(question, answer, _MISTAKES[question] if isinstance(question, str) else 0)
    except Exception:  # a student's object can fail in any way: the message must still arrive
        feedback = Feedback(str(question), "wrong_type",
                            "this answer could not be checked. Make sure it is a plain number, text, list or "
                            "DataFrame, as the question asks.")
    if not quiet:
        print(repr(feedback))
        feedback.printed = True
        if feedback.status == "incorrect":
            _MISTAKES[question] += 1
    return feedback


def _check(question, answer, mistakes_so_far: int) -> Feedback:
    key = answer_key()
    if not key:
        return Feedback(str(question), "no_key", "the answer key is missing, so no answer can be checked yet. It is "
                        f"made from the solutions by `{REBUILD_COMMAND}` (your teacher, or whoever set up this copy "
                        f"of the series, runs it once), and {KEY_FILE} is where it should be.")
    if not isinstance(question, str) or question not in key:
        return Feedback(str(question), "unknown", "there is no question with this id. Copy the id exactly as it "
                        "appears in the question, e.g. check(\"nb05_q3\", q3).")
    spec = key[question]
    if answer is ... or answer is None:
        return Feedback(question, "unanswered", "not answered yet: replace the ... with your answer and run the "
                        "cell again.")
    feedback = _CHECKERS[spec["kind"]](question, answer, spec)
    if feedback.status == "incorrect":
        feedback.message += " " + _help(spec, mistakes_so_far)
    return feedback


def _help(spec: dict, mistakes_so_far: int) -> str:
    """A nudge after the first wrong attempt, the method after any later one."""
    if mistakes_so_far == 0 or not spec.get("hint"):
        return "A nudge: " + (spec.get("nudge") or GENERIC_NUDGES.get(spec["kind"], DEFAULT_NUDGE))
    return f"Hint: {spec['hint']}"


def _right(question: str, spec: dict) -> Feedback:
    return Feedback(question, "correct", "correct! " + spec.get("context", ""))


def _wrong(question: str, why: str = "not quite.") -> Feedback:
    """A wrong answer and what is wrong with it; ``_check`` adds the nudge or the hint."""
    return Feedback(question, "incorrect", why)


def _as_number(answer):
    """The answer as a float, or None if it is not a number (text, True/False, a list...)."""
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        return None
    value = float(answer)
    return value if math.isfinite(value) else None


def _check_number(question: str, answer, spec: dict) -> Feedback:
    value = _as_number(answer)
    if value is None:
        if isinstance(answer, str):
            return Feedback(question, "wrong_type", f"this is text ({answer[:30]!r}); the answer should be a number. "
                            "Remove the quotation marks, or compute it with code.")
        if hasattr(answer, "__len__") and hasattr(answer, "iloc") or isinstance(answer, (list, tuple)):
            return Feedback(question, "wrong_type", "this is a whole table or list; the answer is one number. "
                            "Pick out the single value, e.g. with .iloc[0] or df.loc[row, column].")
        return Feedback(question, "wrong_type", f"the answer should be a number, not {type(answer).__name__}.")
    expected = float(spec["answer"])
    if _accepted(value, expected, spec):
        return _right(question, spec)
    if expected != 0 and math.isclose(abs(value), abs(expected), rel_tol=1e-3):
        return _wrong(question, "the size is right but the sign is not: is it a rise or a fall?")
    return _wrong(question)


def _accepted(value: float, expected: float, spec: dict) -> bool:
    """Within the question's ``tolerance``, or exactly the answer rounded to its ``decimals`` if the question asks
    for a rounded answer. Nothing else: a looser rule would pass 5 for 4.73."""
    if abs(value - expected) <= float(spec.get("tolerance", 0)) or math.isclose(value, expected, rel_tol=1e-6):
        return True
    decimals = spec.get("decimals")
    return decimals is not None and math.isclose(value, round(expected, decimals), rel_tol=1e-9, abs_tol=1e-9)


def _check_text(question: str, answer, spec: dict) -> Feedback:
    if not isinstance(answer, str):
        return Feedback(question, "wrong_type", "the answer should be text, in quotation marks, e.g. \"Kazakhstan\".")
    accepted = [text.casefold() for text in spec["accept"]]
    if answer.strip().casefold() in accepted:
        return _right(question, spec)
    return _wrong(question)


_LETTER = re.compile(r"\(?\s*([A-Za-z])\s*\)?")


def _check_choice(question: str, answer, spec: dict) -> Feedback:
    """One letter of the ``options``, written as "b", "B", " b ", "(b)" or "b)"; a wrong one is answered with the
    misconception that option stands for (its ``feedback``)."""
    letters = {letter.casefold(): letter for letter in spec["options"]}
    valid = ", ".join(f'"{letter}"' for letter in spec["options"])
    match = _LETTER.fullmatch(answer.strip()) if isinstance(answer, str) else None
    if match is None or match.group(1).casefold() not in letters:
        shown = f"{answer[:30]!r} is" if isinstance(answer, str) else f"a {type(answer).__name__} is"
        return Feedback(question, "wrong_type", f"{shown} not one of the options. Answer with one letter in "
                        f"quotation marks: {valid}.")
    letter = letters[match.group(1).casefold()]
    if letter.casefold() == str(spec["answer"]).casefold():
        return _right(question, spec)
    return _wrong(question, spec.get("feedback", {}).get(letter, "not this one."))


def _check_written(question: str, answer, spec: dict) -> Feedback:
    if isinstance(answer, str) and not answer.strip():
        return Feedback(question, "unanswered", "not answered yet: write your answer between the triple quotation "
                        "marks and run the cell again.")
    if not isinstance(answer, str):
        return Feedback(question, "wrong_type", "write your answer as text between the triple quotation marks.")
    words = len(answer.split())
    least = spec.get("min_words", 30)
    if words < least:
        return _wrong(question, f"{words} words so far; a full answer needs at least {least}.")
    return Feedback(question, "saved", f"saved ({words} words). Your teacher will read it with the rubric.")


def _check_frame(question: str, answer, spec: dict) -> Feedback:
    import pandas as pd

    if isinstance(answer, pd.Series):
        answer = answer.reset_index()
    if not isinstance(answer, pd.DataFrame):
        return Feedback(question, "wrong_type", f"the answer should be a pandas DataFrame (a table), not "
                        f"{type(answer).__name__}.")
    expected = pd.DataFrame(spec["answer"]["data"], columns=spec["answer"]["columns"])
    missing = [column for column in expected.columns if column not in answer.columns]
    if missing:
        return _wrong(question, f"the table needs the column(s) {', '.join(map(str, missing))}.")
    if len(answer) != len(expected):
        return _wrong(question, f"the table has {len(answer)} rows; it should have {len(expected)}.")
    mine = answer[list(expected.columns)].reset_index(drop=True)
    try:
        pd.testing.assert_frame_equal(_sorted(mine), _sorted(expected), check_dtype=False, check_exact=False,
                                      rtol=1e-3, check_column_type=False)
    except AssertionError:
        return _wrong(question, "the table has the right shape, but some values differ.")
    return _right(question, spec)


def _sorted(frame):
    """Rows in a canonical order, every value as comparable as it can be: row order is not part of the answer."""
    import pandas as pd

    frame = frame.astype({c: "float64" for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])})
    return frame.sort_values(list(frame.columns), key=lambda c: c.astype(str)).reset_index(drop=True)


def _check_figure(question: str, answer, spec: dict) -> Feedback:
    """A plotly figure that plots what the question asks: the spec's ``x`` and ``y`` columns (the plotted values
    are compared with the solution's, in ``answer``), a y-axis title naming the ``unit``, the source line that
    ``cz.finish`` adds (``source_note``), at least ``min_traces`` series and a title."""
    if not (hasattr(answer, "data") and hasattr(answer, "layout") and hasattr(answer, "to_plotly_json")):
        return Feedback(question, "wrong_type", "the answer should be a plotly figure, e.g. fig = px.line(...).")
    traces = len(answer.data)
    if traces < spec.get("min_traces", 1):
        return _wrong(question, f"the chart has {traces} line(s) or series; it should have at least "
                      f"{spec.get('min_traces', 1)}.")
    wrong_data = _wrong_data(answer, spec)
    if wrong_data:
        return _wrong(question, wrong_data)
    if not (answer.layout.title and answer.layout.title.text):
        return _wrong(question, "the chart needs a title: add title=\"...\".")
    unit = spec.get("unit")
    if unit and unit.casefold() not in _axis_title(answer, "yaxis").casefold():
        return _wrong(question, f"the y-axis title should name the unit, {unit!r}: set it with "
                      "labels={...} or update_yaxes(title=...).")
    if spec.get("source_note") and not _has_source_line(answer):
        return _wrong(question, "the chart has no source line under it: pass it through cz.finish(fig, table), "
                      "with the table it was drawn from.")
    return _right(question, spec)


def _axis_title(figure, axis: str) -> str:
    title = getattr(getattr(figure.layout, axis, None), "title", None)
    return str(getattr(title, "text", None) or "")


def _has_source_line(figure) -> bool:
    from .charts import SOURCE_LINE

    return any(getattr(note, "name", None) == SOURCE_LINE for note in (figure.layout.annotations or ()))


def plotted(figure) -> dict:
    """The values a figure plots, axis by axis, as sorted distinct texts: what the answer key stores for a figure
    (from the solution's) and what a student's figure is compared with. Numbers are rounded, so that 0.1 + 0.2 is
    0.3, and a category and its number agree whatever their type."""
    values = {"x": set(), "y": set()}
    for trace in figure.data:
        for axis in values:
            column = getattr(trace, axis, None)
            values[axis].update(_plain(value) for value in (column if column is not None else ()))
    return {axis: sorted(found) for axis, found in values.items()}


def _plain(value) -> str:
    """One plotted value as text: a date as its day (whether it came as text, a Timestamp or a numpy datetime), a
    number in 6 significant figures, anything else as it prints."""
    if hasattr(value, "isoformat") or type(value).__name__ == "datetime64":
        return str(value)[:10]
    number = _as_number(value)
    return f"{number:.6g}" if number is not None else str(value)


def _wrong_data(figure, spec: dict) -> str:
    """What is wrong with the data a figure plots, as a sentence naming what it plots and what the question asks
    (empty if it plots the solution's values, or if the key has none to compare with)."""
    expected = spec.get("answer")
    if not isinstance(expected, dict):
        return ""
    mine = plotted(figure)
    wrong = [axis for axis in ("y", "x") if axis in expected and set(mine[axis]) != set(expected[axis])]
    if not wrong:
        return ""
    shown = " against ".join(_axis_title(figure, f"{axis}axis") or "an unnamed column" for axis in ("y", "x"))
    asked = " against ".join(f"`{spec[axis]}`" for axis in ("y", "x") if spec.get(axis))
    which = "values" if wrong == ["y"] else "categories or dates along the x-axis" if wrong == ["x"] else "data"
    return (f"the chart plots {shown}, but the question asks for {asked or 'other data'}: its {which} are not the "
            "ones asked for (check the rows you kept and the columns you passed as x= and y=).")


_CHECKERS = {"number": _check_number, "text": _check_text, "choice": _check_choice, "written": _check_written,
             "frame": _check_frame, "figure": _check_figure}
