"""Instant, kind feedback on exercise answers: ``check("nb05_q3", q3)``.

The right answers are not written here. They live in the solution notebooks (``solutions/``), and
``python -m collectivisation build`` copies each question's answer, hint and context into ``answer_key.json``
beside this file. A check never raises: whatever a student passes (nothing yet, text instead of a number, a
DataFrame of the wrong shape, an object that cannot even be compared) gets a sentence saying what to do next.
"""

from __future__ import annotations

import json
import math
import numbers
import os
from functools import lru_cache
from pathlib import Path

#: The build points COLLECTIVISATION_KEY at a fresh key while it runs the solutions for the first time.
KEY_FILE = Path(os.environ.get("COLLECTIVISATION_KEY", Path(__file__).resolve().parent / "answer_key.json"))


class Feedback:
    """The result of a check: true when the answer is right; shown in a notebook as its message."""

    def __init__(self, question: str, status: str, message: str):
        self.question, self.status, self.message = question, status, message

    def __bool__(self) -> bool:
        return self.status == "correct"

    def __repr__(self) -> str:
        symbol = {"correct": "✅", "saved": "📝", "unanswered": "⏳"}.get(self.status, "🔁")
        return f"{symbol} {self.question}: {self.message}"

    def _repr_markdown_(self) -> str:
        return repr(self)


@lru_cache(maxsize=1)
def answer_key() -> dict:
    """Every question of the series, by id, as the build wrote it from the solution notebooks."""
    if not KEY_FILE.exists():
        return {}
    return json.loads(KEY_FILE.read_text(encoding="utf-8"))


def check(question: str, answer=..., quiet: bool = False) -> Feedback:
    """Say whether ``answer`` is right for ``question``, with a hint if not. Never raises."""
    try:
        feedback = _check(question, answer)
    except Exception:  # a student's object can fail in any way: the message must still arrive
        feedback = Feedback(str(question), "wrong_type",
                            "this answer could not be checked. Make sure it is a plain number, text, list or "
                            "DataFrame, as the question asks.")
    if not quiet:
        print(repr(feedback))
    return feedback


def _check(question, answer) -> Feedback:
    key = answer_key()
    if not isinstance(question, str) or question not in key:
        return Feedback(str(question), "unknown", "there is no question with this id. Copy the id exactly as it "
                        "appears in the question, e.g. check(\"nb05_q3\", q3).")
    spec = key[question]
    if answer is ... or answer is None:
        return Feedback(question, "unanswered", "not answered yet: replace the ... with your answer and run the "
                        "cell again.")
    return _CHECKERS[spec["kind"]](question, answer, spec)


def _right(question: str, spec: dict) -> Feedback:
    return Feedback(question, "correct", "correct! " + spec.get("context", ""))


def _wrong(question: str, spec: dict, why: str = "not quite.") -> Feedback:
    return Feedback(question, "incorrect", f"{why} Hint: {spec['hint']}")


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
    tolerance = float(spec.get("tolerance", 0))
    rounded = any(value == round(expected, digits) for digits in range(4))
    if rounded or abs(value - expected) <= tolerance or math.isclose(value, expected, rel_tol=1e-6):
        return _right(question, spec)
    if expected != 0 and math.isclose(abs(value), abs(expected), rel_tol=1e-3):
        return _wrong(question, spec, "the size is right but the sign is not: is it a rise or a fall?")
    return _wrong(question, spec)


def _check_text(question: str, answer, spec: dict) -> Feedback:
    if not isinstance(answer, str):
        return Feedback(question, "wrong_type", "the answer should be text, in quotation marks, e.g. \"Kazakhstan\".")
    accepted = [text.casefold() for text in spec["accept"]]
    if answer.strip().casefold() in accepted:
        return _right(question, spec)
    return _wrong(question, spec)


def _check_written(question: str, answer, spec: dict) -> Feedback:
    if not isinstance(answer, str) or not answer.strip():
        return Feedback(question, "wrong_type", "write your answer as text between the triple quotation marks.")
    words = len(answer.split())
    least = spec.get("min_words", 30)
    if words < least:
        return Feedback(question, "incorrect", f"{words} words so far; a full answer needs at least {least}. "
                        f"Hint: {spec['hint']}")
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
        return _wrong(question, spec, f"the table needs the column(s) {', '.join(map(str, missing))}.")
    if len(answer) != len(expected):
        return _wrong(question, spec, f"the table has {len(answer)} rows; it should have {len(expected)}.")
    mine = answer[list(expected.columns)].reset_index(drop=True)
    try:
        pd.testing.assert_frame_equal(_sorted(mine), _sorted(expected), check_dtype=False, check_exact=False,
                                      rtol=1e-3, check_column_type=False)
    except AssertionError:
        return _wrong(question, spec, "the table has the right shape, but some values differ.")
    return _right(question, spec)


def _sorted(frame):
    """Rows in a canonical order, every value as comparable as it can be: row order is not part of the answer."""
    import pandas as pd

    frame = frame.astype({c: "float64" for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])})
    return frame.sort_values(list(frame.columns), key=lambda c: c.astype(str)).reset_index(drop=True)


def _check_figure(question: str, answer, spec: dict) -> Feedback:
    if not (hasattr(answer, "data") and hasattr(answer, "layout") and hasattr(answer, "to_plotly_json")):
        return Feedback(question, "wrong_type", "the answer should be a plotly figure, e.g. fig = px.line(...).")
    traces = len(answer.data)
    if traces < spec.get("min_traces", 1):
        return _wrong(question, spec, f"the chart has {traces} line(s) or series; it should have at least "
                      f"{spec.get('min_traces', 1)}.")
    if not (answer.layout.title and answer.layout.title.text):
        return _wrong(question, spec, "the chart needs a title: add title=\"...\".")
    return _right(question, spec)


_CHECKERS = {"number": _check_number, "text": _check_text, "written": _check_written, "frame": _check_frame,
             "figure": _check_figure}
