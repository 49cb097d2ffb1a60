"""Students' answers get feedback, never a traceback: right, wrong, empty and oddly typed alike."""

import math
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import plotly.express as px
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collectivisation import check
from collectivisation.answers import answer_key
from collectivisation.tools.build import series
from collectivisation.tools.paths import ROOT
from collectivisation.tools.homework import BEGIN, HIDDEN, questions

KEY = answer_key()
IDS = sorted(KEY)
BY_KIND = {kind: [q for q in IDS if KEY[q]["kind"] == kind] for kind in ("number", "text", "frame", "figure", "written")}


def test_every_solution_question_is_in_the_key():
    solved = {q["id"] for page in series(ROOT / "solutions") for q in questions(nbformat.read(page.path, as_version=4))}
    assert solved and solved == set(KEY)


def test_the_series_has_enough_questions_on_every_rung_of_the_ladder():
    for page in series(ROOT / "solutions"):
        assert len(questions(nbformat.read(page.path, as_version=4))) >= 5, f"{page.name} has fewer than 5 questions"
    for kind in ("number", "frame", "figure", "written"):
        assert BY_KIND[kind], f"no question of kind {kind}"
    for question in BY_KIND["written"]:
        assert set(KEY[question]["rubric"]) == {"full", "partial", "weak"}, question


@pytest.mark.parametrize("question", IDS)
def test_an_unanswered_question_says_so(question, capsys):
    for blank in (..., None):
        feedback = check(question, blank)
        assert feedback.status == "unanswered" and not feedback
    assert "not answered yet" in capsys.readouterr().out


@pytest.mark.parametrize("question", BY_KIND["number"])
def test_numbers_accept_the_answer_and_sensible_rounding_but_not_text(question):
    answer = KEY[question]["answer"]
    assert check(question, answer, quiet=True)
    assert check(question, round(answer, 1), quiet=True)
    assert check(question, np.float64(answer), quiet=True)
    assert check(question, str(answer), quiet=True).status == "wrong_type"
    wrong = check(question, answer * 3 + 1000, quiet=True)
    assert wrong.status == "incorrect" and "Hint:" in wrong.message
    assert str(round(answer, 1)) not in wrong.message, "a hint must never give the answer away"


@pytest.mark.parametrize("question", BY_KIND["frame"])
def test_tables_accept_any_column_order_row_order_and_dtype(question):
    spec = KEY[question]["answer"]
    table = pd.DataFrame(spec["data"], columns=spec["columns"])
    assert check(question, table, quiet=True)
    shuffled = table[table.columns[::-1]].iloc[::-1].reset_index(drop=True)
    assert check(question, shuffled, quiet=True)
    assert check(question, table.astype(object), quiet=True)
    assert check(question, table.head(0), quiet=True).status == "incorrect"
    assert check(question, table.iloc[:, :1].rename(columns=lambda c: "x"), quiet=True).status == "incorrect"


@pytest.mark.parametrize("question", BY_KIND["figure"])
def test_figures_need_a_title(question):
    table = pd.DataFrame({"year": [1928, 1932], "value": [1, 2], "series": ["a", "b"]})
    titled = px.line(table, x="year", y="value", color="series", title="A title")
    assert check(question, titled, quiet=True).status in ("correct", "incorrect")
    assert check(question, px.line(table, x="year", y="value", color="series"), quiet=True).status == "incorrect"
    assert check(question, "a chart", quiet=True).status == "wrong_type"


@pytest.mark.parametrize("question", BY_KIND["written"])
def test_written_answers_are_saved_when_long_enough(question):
    assert check(question, "Too short.", quiet=True).status == "incorrect"
    assert check(question, "word " * 200, quiet=True).status == "saved"
    assert check(question, "   ", quiet=True).status == "wrong_type"


def test_an_unknown_question_id_explains_how_to_write_one():
    assert "no question with this id" in check("q99", 1, quiet=True).message
    assert check(None, 1, quiet=True).status == "unknown"


class Awkward:
    """An object that refuses every comparison and conversion."""

    def __eq__(self, other):
        raise RuntimeError("no comparing me")

    __hash__ = object.__hash__

    def __float__(self):
        raise ValueError("no")

    def __len__(self):
        raise TypeError("no")


ODD = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.text(), st.binary(), st.complex_numbers(),
    st.recursive(st.integers() | st.text(), lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
                 max_leaves=10),
    st.just(Awkward()), st.just(math.nan), st.just(10 ** 400), st.just(pd.DataFrame()),
    st.just(pd.DataFrame({"x": [1, 2, 3]})), st.just(pd.Series([1.0, None])), st.just(np.array([[1, 2]])),
    st.just(pd.NA), st.just(pd.NaT), st.just(object()),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(question=st.sampled_from(IDS + ["q99"]), answer=ODD)
def test_no_answer_ever_raises(question, answer):
    feedback = check(question, answer, quiet=True)
    assert feedback.status in {"correct", "incorrect", "wrong_type", "unanswered", "saved", "unknown"}
    assert feedback.message and repr(feedback)


def test_a_check_gives_the_same_answer_twice():
    question = BY_KIND["number"][0]
    first, second = check(question, KEY[question]["answer"], quiet=True), check(question, KEY[question]["answer"], quiet=True)
    assert bool(first) and bool(second) and first.message == second.message


def test_the_committed_solutions_pass_their_own_checks():
    """Every answer cell of every executed solution printed a ✅ for its question."""
    for page in series(ROOT / "solutions"):
        for cell in nbformat.read(page.path, as_version=4).cells:
            if cell.cell_type == "code" and BEGIN in cell.source and "collectivisation" in cell.metadata:
                printed = "".join(o.get("text", "") for o in cell.outputs)
                qid = cell.metadata["nbgrader"]["grade_id"]
                expected = "📝" if cell.metadata["collectivisation"]["kind"] == "written" else "✅"
                assert f"{expected} {qid}:" in printed, f"{page.name}: {qid} printed {printed!r}"


def test_exercises_hold_no_solutions_and_no_hidden_tests():
    for page in series(ROOT / "exercises"):
        text = page.path.read_text()
        assert BEGIN not in text and HIDDEN not in text, page.name
        assert (ROOT / "solutions" / page.name).exists(), f"{page.name} has no solution to be generated from"


def test_an_independent_count_agrees_with_the_key():
    """nb01_q1 asks for the essay's paragraphs: counted here without the solution's code."""
    essay = (ROOT / "data" / "essay.txt").read_text(encoding="utf-8")
    assert KEY["nb01_q1"]["answer"] == essay.count("\n\n") + 1
