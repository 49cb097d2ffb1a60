"""The exercises assess history, not only code: points on historical reasoning, hints that wait for an attempt,
charts checked on what they plot."""

import json
import re

import nbformat
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import collectivisation as cz
from collectivisation import answers, check
from collectivisation.answers import answer_key, plotted
from collectivisation.tools.build import series
from collectivisation.tools.homework import questions
from collectivisation.tools.paths import ROOT

KEY = answer_key()
EXERCISE_QUESTIONS = {qid: spec for qid, spec in KEY.items() if spec["source"] == "solutions"}
FIGURES = sorted(qid for qid, spec in EXERCISE_QUESTIONS.items() if spec["kind"] == "figure")
SKILLS = ("history", "code")


def share_on_history(key: dict) -> float:
    """The share of the exercises' points that reward historical reasoning (``skill: history``)."""
    specs = [spec for spec in key.values() if spec["source"] == "solutions"]
    return sum(spec["points"] for spec in specs if spec.get("skill") == "history") / sum(s["points"] for s in specs)


def test_every_exercise_question_says_which_skill_its_points_reward():
    unlabelled = [qid for qid, spec in EXERCISE_QUESTIONS.items() if spec.get("skill") not in SKILLS]
    assert not unlabelled, f"these questions need \"skill\": \"history\" or \"code\": {unlabelled}"


def test_at_least_45_percent_of_the_points_are_on_historical_reasoning():
    assert share_on_history(KEY) >= 0.45


def test_written_answers_are_marked_as_history_and_every_notebook_asks_some_history():
    assert all(spec["skill"] == "history" for spec in EXERCISE_QUESTIONS.values() if spec["kind"] == "written")
    for page in series(ROOT / "solutions"):
        skills = {q.get("skill") for q in questions(nbformat.read(page.path, as_version=4))}
        assert "history" in skills, f"{page.name} asks no question on historical reasoning"


@pytest.mark.parametrize("folder", ["solutions", "exercises"])
def test_no_question_shows_a_hint_before_the_student_has_tried(folder):
    """Hints live in the metadata and come after a wrong attempt; the question text must not give them away."""
    for page in series(ROOT / folder):
        for cell in nbformat.read(page.path, as_version=4).cells:
            assert not (cell.cell_type == "markdown" and "**Hint:**" in cell.source), \
                f"{page.name}: a question still shows a hint: {cell.source[:80]!r}"


@pytest.mark.parametrize("question", FIGURES)
def test_every_figure_question_states_what_the_chart_must_plot(question):
    spec = KEY[question]
    assert spec.get("x") and spec.get("y") and spec.get("source_note") is True
    assert set(spec["answer"]) == {"x", "y"} and spec["answer"]["y"]


# --- the figure check, on a key of its own -------------------------------------------------------------------------

TABLE = pd.DataFrame({"year": [1928, 1929, 1930, 1928, 1929, 1930], "species": ["horses"] * 3 + ["cattle"] * 3,
                      "millions": [33.5, 34.6, 30.2, 70.5, 74.8, 52.5], "other": [1, 2, 3, 4, 5, 6],
                      "source_id": ["livestock_putksots_t30"] * 6})
LABELS = {"year": "Year", "millions": "Animals (million head)", "species": "Species", "other": "Something else"}


def chart(table=TABLE, y="millions", labels=LABELS, title="Horses and cattle", finish=True):
    figure = px.line(table, x="year", y=y, color="species", labels=labels, title=title)
    return cz.finish(figure, table) if finish else figure


@pytest.fixture
def figure_key(tmp_path, monkeypatch):
    """An answer key with one figure question whose solution is ``chart()``."""
    spec = {"kind": "figure", "variable": "q1", "points": 1, "skill": "code", "min_traces": 2, "x": "year",
            "y": "millions", "unit": "million head", "source_note": True, "answer": plotted(chart()),
            "nudge": "Look again.", "hint": "Filter, then draw.", "source": "solutions"}
    path = tmp_path / "answer_key.json"
    path.write_text(json.dumps({"t_fig": spec}), encoding="utf-8")
    monkeypatch.setattr(answers, "KEY_FILE", path)
    answer_key.cache_clear()
    answers._MISTAKES.clear()
    yield "t_fig"
    monkeypatch.undo()
    answer_key.cache_clear()
    answers._MISTAKES.clear()


def test_the_chart_the_question_asks_for_is_right(figure_key):
    assert check(figure_key, chart(), quiet=True).status == "correct"


def test_a_chart_of_the_wrong_column_is_wrong_and_the_feedback_says_what_it_plots(figure_key):
    feedback = check(figure_key, chart(y="other"), quiet=True)
    assert feedback.status == "incorrect"
    assert "plots Something else against Year" in feedback.message and "`millions` against `year`" in feedback.message


def test_a_chart_of_the_wrong_rows_is_wrong(figure_key):
    feedback = check(figure_key, chart(table=TABLE[TABLE.year < 1930]), quiet=True)
    assert feedback.status == "incorrect" and "not the ones asked for" in feedback.message


def test_a_y_axis_without_its_unit_is_wrong(figure_key):
    feedback = check(figure_key, chart(labels={**LABELS, "millions": "Animals"}), quiet=True)
    assert feedback.status == "incorrect" and "million head" in feedback.message


def test_a_chart_without_its_source_line_is_wrong_and_told_to_use_finish(figure_key):
    feedback = check(figure_key, chart(finish=False), quiet=True)
    assert feedback.status == "incorrect" and "cz.finish" in feedback.message


def test_a_date_plotted_as_text_or_as_a_timestamp_is_the_same_date():
    as_text = pd.DataFrame({"date": ["1930-03-01", "1930-08-01"], "value": [57.2, 21.9]})
    as_dates = as_text.assign(date=pd.to_datetime(as_text.date))
    assert plotted(px.line(as_text, x="date", y="value")) == plotted(px.line(as_dates, x="date", y="value"))


FRAMES = st.lists(st.tuples(st.sampled_from([1928, 1929, 1930, 1931]), st.sampled_from(["horses", "cattle", "pigs"]),
                            st.floats(-1e9, 1e9, allow_nan=False), st.integers(-5, 5)), min_size=0, max_size=8)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(rows=FRAMES, y=st.sampled_from(["millions", "other"]), title=st.sampled_from(["", "A chart"]),
       unit=st.sampled_from(["Animals (million head)", "Animals", ""]), finish=st.booleans())
def test_no_figure_ever_raises_and_only_the_asked_for_chart_is_right(figure_key, rows, y, title, unit, finish):
    table = pd.DataFrame(rows, columns=["year", "species", "millions", "other"]).assign(
        source_id="livestock_putksots_t30")
    figure = chart(table, y=y, labels={**LABELS, "millions": unit}, title=title, finish=finish)
    feedback = check(figure_key, figure, quiet=True)
    assert feedback.status in ("correct", "incorrect") and feedback.message
    if feedback.status == "correct":
        assert plotted(figure) == plotted(chart()) and title and "million head" in unit and finish


# --- written answers: a rubric with points per level, one example answer per level, lengths that agree -----------

#: Every written question: the exercises' (solutions/) and the core notebooks' verdicts (notebooks/).
WRITTEN = sorted(qid for qid, spec in KEY.items() if spec["kind"] == "written")
LEVEL = re.compile(r"[a-z]+ \((\d+)\)")


def test_both_the_exercises_and_the_core_notebooks_ask_written_questions():
    assert {KEY[qid]["source"] for qid in WRITTEN} == {"solutions", "notebooks"}


def prompt_of(question: str) -> str:
    """The question text a student reads: in a solution notebook, the cell nbgrader names ``<id>_prompt``; in a core
    notebook, the markdown cell just above the answer cell."""
    for page in series(ROOT / KEY[question]["source"]):
        cells = nbformat.read(page.path, as_version=4).cells
        for index, cell in enumerate(cells):
            if cell.metadata.get("nbgrader", {}).get("grade_id") == f"{question}_prompt":
                return cell.source
            if cell.metadata.get("collectivisation", {}).get("id") == question and index:
                return cells[index - 1].source
    raise LookupError(question)


@pytest.mark.parametrize("question", WRITTEN)
def test_a_rubric_gives_points_per_level_and_an_example_answer_for_each(question):
    spec = KEY[question]
    points = [LEVEL.fullmatch(level) for level in spec["rubric"]]
    assert all(points), f"{question}: name each level as \"name (N)\", e.g. \"full (3)\": {list(spec['rubric'])}"
    assert max(int(found.group(1)) for found in points) == spec["points"]
    assert set(spec.get("examples", {})) == set(spec["rubric"]), f"{question}: one example answer per level"
    assert len(set(spec["examples"].values())) == len(spec["examples"]), f"{question}: the examples must differ"


@pytest.mark.parametrize("question", WRITTEN)
def test_the_question_the_rubric_and_the_full_example_ask_for_the_same_length(question):
    spec, prompt = KEY[question], prompt_of(question)
    full = max(spec["examples"], key=lambda level: int(LEVEL.fullmatch(level).group(1)))
    words = len(spec["examples"][full].split())
    assert words >= spec.get("min_words", 30), f"{question}: the full example is shorter than the check accepts"
    asked = re.search(r"(\d+)-(\d+) words", prompt)
    if asked:
        least, most = map(int, asked.groups())
        assert least <= words <= most and spec["min_words"] == least, question
        assert all(len(text.split()) <= most for text in spec["examples"].values()), f"{question}: over {most} words"
    if spec["source"] == "solutions":  # a core notebook's rubric is in the teacher's guide, not in the question
        for level in spec["rubric"]:
            assert f"**{level}**" in prompt, f"{question}: the question shows its rubric, level {level} included"


def test_the_indicative_answer_is_the_full_example_not_a_second_copy():
    """One source of truth: the answer a teacher reads as the model is the top level's example."""
    kept = [qid for qid in WRITTEN if "indicative" in KEY[qid]]
    assert not kept, f"move `indicative` into `examples` as the full level's answer: {kept}"


@pytest.mark.parametrize("question", WRITTEN)
def test_the_teachers_guide_shows_the_rubric_and_an_example_answer_per_level(question):
    guide = (ROOT / "TEACHING.md").read_text(encoding="utf-8")
    heading = f"Example answers for `{question}`, one per level"
    assert heading in guide, f"TEACHING.md has no example answers for {question}"
    block = guide.split(heading, 1)[1].split("\n\n", 2)[1]
    for level, text in KEY[question]["examples"].items():
        assert f"- **{level}**: {text}" in block, f"TEACHING.md: {question} {level}"


@pytest.mark.parametrize("figure", [
    go.Figure(), go.Figure(go.Pie(labels=["a", "b"], values=[1, 2])), go.Figure(go.Histogram(x=[1, 2, 2])),
    go.Figure(go.Scatter(x=[[1, 2], ["a", "b"]], y=[3, 4])), go.Figure(go.Bar(x=[None, float("nan")], y=[1, None])),
], ids=["empty", "pie", "histogram", "multicategory", "missing values"])
@pytest.mark.parametrize("question", FIGURES)
def test_any_kind_of_plotly_figure_gets_feedback_not_a_traceback(question, figure):
    feedback = check(question, figure.update_layout(title="A chart"), quiet=True)
    assert feedback.status == "incorrect" and feedback.message


@pytest.mark.parametrize("question", WRITTEN)
def test_every_example_answer_is_long_enough_to_be_saved(question):
    """An example of a weak answer is weak in what it says, not in being too short to hand in."""
    for level, text in KEY[question]["examples"].items():
        assert check(question, text, quiet=True).status == "saved", f"{question} {level}"


def test_every_document_a_question_cites_is_in_the_quotations_table():
    """A question on a document names it by its quote id; a student must be able to print every word of it."""
    known = set(pd.read_csv(ROOT / "data" / "quotations.csv").quote_id)
    for page in series(ROOT / "solutions"):
        for cell in nbformat.read(page.path, as_version=4).cells:
            text = cell.source + json.dumps(cell.metadata.get("collectivisation", {}))
            cited = set(re.findall(r"\bQ\d\d\b", text))
            assert cited <= known, f"{page.name} cites {sorted(cited - known)}, which are not in quotations.csv"
