"""Students' answers get feedback, never a traceback: right, wrong, empty and oddly typed alike."""

import json
import math
import re

import nbformat
import numpy as np
import pandas as pd
import plotly.express as px
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collectivisation import answers, check
from collectivisation.answers import answer_key
from collectivisation.tools.build import BuildError, built_files, series
from collectivisation.tools.homework import BEGIN, HIDDEN, questions
from collectivisation.tools.kernels import notebook_client
from collectivisation.tools.paths import ROOT, answer_key_path

KEY = answer_key()
IDS = sorted(KEY)
BY_KIND = {kind: [q for q in IDS if KEY[q]["kind"] == kind]
           for kind in ("number", "text", "choice", "frame", "figure", "written")}


@pytest.fixture(autouse=True)
def fresh_kernel_state():
    """Each test starts as a student in a fresh kernel: no wrong attempts counted yet."""
    answers._MISTAKES.clear()
    yield
    answers._MISTAKES.clear()


@pytest.fixture
def key_of(tmp_path, monkeypatch):
    """Point check() at an answer key made of the given entries (or at no key at all, with None)."""
    def use(entries):
        path = tmp_path / "answer_key.json"
        if entries is not None:
            path.write_text(json.dumps(entries), encoding="utf-8")
        monkeypatch.setattr(answers, "KEY_FILE", path)
        answer_key.cache_clear()
    yield use
    monkeypatch.undo()
    answer_key.cache_clear()


def test_every_solution_question_is_in_the_key():
    solved = {q["id"] for page in series(ROOT / "solutions") for q in questions(nbformat.read(page.path, as_version=4))}
    assert solved and solved == {q for q in IDS if KEY[q]["source"] == "solutions"}


def test_the_series_has_enough_questions_on_every_rung_of_the_ladder():
    for page in series(ROOT / "solutions"):
        assert len(questions(nbformat.read(page.path, as_version=4))) >= 5, f"{page.name} has fewer than 5 questions"
    for kind in ("number", "frame", "figure", "written"):
        assert BY_KIND[kind], f"no question of kind {kind}"
    for question in BY_KIND["written"]:
        assert_rubric_levels_carry_points(question, KEY[question])


#: A rubric level is named with the points it earns, e.g. "full (3)", "partial (2)", "minimal (1)".
RUBRIC_LEVEL = re.compile(r"(?P<name>[a-z][a-z ]*[a-z]) \((?P<points>\d+)\)")
#: The solutions' rubrics written before levels carried points; being rewritten with example answers.
UNSCORED_LEVELS = {"full", "partial", "weak"}


def assert_rubric_levels_carry_points(question: str, spec: dict) -> None:
    """A teacher marking by hand sees what each level is worth: two levels at least, each "name (N)", no two worth
    the same, none worth more than the question and the top one worth all of it (a bottom level may be worth 0). Until the solutions' rubrics are rewritten, an exercise's
    rubric may still have the three unscored levels full, partial and weak."""
    levels = list(spec["rubric"])
    if spec["source"] == "solutions" and set(levels) == UNSCORED_LEVELS:
        return
    matches = [RUBRIC_LEVEL.fullmatch(level) for level in levels]
    assert len(levels) >= 2 and all(matches), f"{question}: name each level with its points, e.g. 'full (3)': {levels}"
    points = [int(match["points"]) for match in matches]
    assert len(set(points)) == len(points) and all(0 <= p <= spec["points"] for p in points), f"{question}: {levels}"
    assert max(points) == spec["points"], f"{question}: the top level must earn the question's {spec['points']} points"


def test_rubric_levels_must_say_their_points():
    scored = {"source": "notebooks", "points": 3, "rubric": {"full (3)": "f", "partial (2)": "p", "minimal (1)": "m"}}
    assert_rubric_levels_carry_points("ok", scored)
    for rubric in ({"full": "f", "partial": "p", "weak": "w"}, {"full (3)": "f", "partial (3)": "p"},
                   {"full (4)": "f", "partial (2)": "p"}, {"full (3)": "f"}):
        with pytest.raises(AssertionError):
            assert_rubric_levels_carry_points("bad", {**scored, "rubric": rubric})


@pytest.mark.parametrize("question", IDS)
def test_an_unanswered_question_says_so(question, capsys):
    for blank in (..., None):
        feedback = check(question, blank)
        assert feedback.status == "unanswered" and not feedback
    assert "not answered yet" in capsys.readouterr().out


@pytest.mark.parametrize("question", BY_KIND["number"])
def test_numbers_accept_the_answer_within_its_tolerance_but_not_text(question):
    spec = KEY[question]
    answer, tolerance = spec["answer"], spec.get("tolerance", 0)
    assert check(question, answer, quiet=True)
    assert check(question, np.float64(answer), quiet=True)
    assert check(question, answer + tolerance * 0.99, quiet=True)
    if "decimals" in spec:
        assert check(question, round(answer, spec["decimals"]), quiet=True)
    assert check(question, str(answer), quiet=True).status == "wrong_type"
    first, later = check(question, answer * 3 + 1000), check(question, answer * 3 + 1000)
    assert first.status == later.status == "incorrect" and "Hint:" in later.message
    for message in (first.message, later.message):
        assert str(round(answer, 1)) not in message, "a nudge or a hint must never give the answer away"


@pytest.mark.parametrize("question", BY_KIND["number"])
def test_a_rounded_number_is_right_only_if_the_question_says_so(question):
    """Rounding to fewer decimals than the question asks for is not the answer: 5 is not 4.73."""
    spec = KEY[question]
    answer, tolerance = spec["answer"], spec.get("tolerance", 0)
    for decimals in range(3):
        rounded = round(answer, decimals)
        if abs(rounded - answer) > tolerance + 1e-9 and rounded != round(answer, spec.get("decimals", 99)):
            assert not check(question, rounded, quiet=True), f"{rounded} accepted for {answer}"


def test_rounding_that_no_question_invites_is_wrong():
    assert check("nb03_q3", 5, quiet=True).status == "incorrect"      # people per family: 4.73
    assert check("nb05_q1", 16, quiet=True).status == "incorrect"     # million horses: 16.22
    assert check("nb03_q3", 4.7, quiet=True), "within the question's tolerance"


def test_a_question_that_asks_for_decimals_accepts_the_rounded_answer(key_of):
    key_of({"q": {"kind": "number", "answer": 4.7329, "tolerance": 0.0, "decimals": 1, "hint": "h", "points": 1},
            "r": {"kind": "number", "answer": 4.7329, "tolerance": 0.0, "hint": "h", "points": 1}})
    assert check("q", 4.7, quiet=True) and check("q", 4.7329, quiet=True)
    assert not check("q", 4.73, quiet=True) and not check("q", 5, quiet=True)
    assert not check("r", 4.7, quiet=True) and not check("r", 4.73, quiet=True)


CHOICE = {"kind": "choice", "variable": "cp1", "points": 1, "answer": "b", "context": "Points and percent differ.",
          "options": {"a": "fell by 35.3%", "b": "fell by 35.3 percentage points", "c": "fell by 61.7 points"},
          "feedback": {"a": "Percent vs percentage points: a gap between two percentages is in points.",
                       "c": "Percentage points vs percent: 61.7 is the fall as a share of the March level."},
          "nudge": "Two numbers describe a fall.", "hint": "Subtract the levels, then divide by the first."}


def test_a_choice_accepts_the_letter_however_it_is_written(key_of):
    key_of({"cp": CHOICE})
    for written in ("b", "B", " b ", "(b)", "b)", "( B )"):
        assert check("cp", written, quiet=True), written


def test_a_wrong_choice_names_the_misconception(key_of):
    key_of({"cp": CHOICE})
    wrong = check("cp", "a", quiet=True)
    assert wrong.status == "incorrect" and wrong.message.startswith("Percent vs percentage points:")
    assert check("cp", "(C)", quiet=True).message.startswith("Percentage points vs percent:")


@pytest.mark.parametrize("odd", ["z", "bb", "the second one", "", 2, None, ["b"]])
def test_a_choice_that_is_not_an_option_lists_the_letters(key_of, odd):
    key_of({"cp": CHOICE})
    feedback = check("cp", odd, quiet=True)
    if odd is None:
        assert feedback.status == "unanswered"
    else:
        assert feedback.status == "wrong_type" and '"a", "b", "c"' in feedback.message


@pytest.mark.parametrize("question", BY_KIND["choice"])
def test_every_wrong_option_of_the_series_names_its_misconception(question):
    spec = KEY[question]
    assert check(question, spec["answer"].upper(), quiet=True)
    for letter in spec["options"]:
        if letter != spec["answer"]:
            sentence = spec["feedback"][letter]
            assert re.match(r"[^:]{3,60}: ", sentence), f"{question} {letter}: name the misconception first"
            assert check(question, f"({letter})", quiet=True).message.startswith(sentence)


def test_help_comes_in_steps_a_nudge_then_the_method(key_of):
    key_of({"cp": CHOICE, "q": {"kind": "number", "answer": 3, "hint": "Count the rows.", "points": 1}})
    assert "Hint" not in check("cp", "b").message and "nudge" not in check("cp", "b").message.lower()
    for _ in range(2):
        assert "A nudge:" in check("cp", "c", quiet=True).message, "a quiet check (the grader's) is not an attempt"
    first = check("cp", "a")
    assert "A nudge: Two numbers describe a fall." in first.message and "Hint" not in first.message
    for _ in range(2):
        later = check("cp", "c")
        assert "Hint: Subtract the levels" in later.message and "nudge" not in later.message
    generic = check("q", 4)
    assert "A nudge: look again at which rows and which column" in generic.message
    assert "Hint: Count the rows." in check("q", 5).message


def test_no_hint_or_nudge_holds_code_to_copy():
    """The method in words, a function's name at most: no comparisons, keyword arguments or column lists."""
    code = re.compile(r"==|\w=[^=]|\[\[|\w+\[\w+\.")
    for question in IDS:
        spec = KEY[question]
        nudge = spec.get("nudge") or answers.GENERIC_NUDGES.get(spec["kind"], answers.DEFAULT_NUDGE)
        for text in (spec["hint"], nudge):
            assert not code.search(text), f"{question}: {text}"


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
    assert check(question, "   ", quiet=True).status == "unanswered"  # the empty cell as handed out
    assert check(question, 42, quiet=True).status == "wrong_type"


def test_a_missing_answer_key_says_so_and_how_to_rebuild_it(key_of):
    key_of(None)
    for question, answer in (("nb01_q1", 14), ("nb01_q1", ...), ("anything", "x")):
        feedback = check(question, answer, quiet=True)
        assert "answer key is missing" in feedback.message and "python -m collectivisation build" in feedback.message
        assert "no question with this id" not in feedback.message and not feedback


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
    st.sampled_from(["a", "B", " c ", "(d)", "b)", "(", ")", "e", "bb"]),
)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(question=st.sampled_from(IDS + ["q99"]), answer=ODD)
def test_no_answer_ever_raises(question, answer):
    feedback = check(question, answer, quiet=True)
    assert feedback.status in {"correct", "incorrect", "wrong_type", "unanswered", "saved", "unknown"}
    assert feedback.status != "incorrect" or "A nudge:" in feedback.message
    assert feedback.message and repr(feedback)


def test_a_check_gives_the_same_answer_twice():
    question = BY_KIND["number"][0]
    first, second = check(question, KEY[question]["answer"], quiet=True), check(question, KEY[question]["answer"], quiet=True)
    assert bool(first) and bool(second) and first.message == second.message


def _shown(outputs) -> str:
    """Everything a reader sees of a cell's outputs: printed text and every text form of displayed values."""
    texts = [o.get("text", "") for o in outputs]
    texts += [value for o in outputs for mime, value in o.get("data", {}).items() if mime.startswith("text/")]
    return "".join(texts)


def test_the_committed_solutions_pass_their_own_checks_and_say_so_once():
    """Every answer cell of every executed solution shows one ✅ for its question (one 📝 for written answers)."""
    for page in series(ROOT / "solutions"):
        for cell in nbformat.read(page.path, as_version=4).cells:
            if cell.cell_type == "code" and BEGIN in cell.source and "collectivisation" in cell.metadata:
                shown = _shown(cell.outputs)
                qid = cell.metadata["nbgrader"]["grade_id"]
                expected = "📝" if cell.metadata["collectivisation"]["kind"] == "written" else "✅"
                assert shown.count(f"{expected} {qid}:") == 1, f"{page.name}: {qid} showed {shown!r}"


def test_an_answer_cell_shows_its_feedback_once_in_a_kernel(tmp_path):
    """JupyterLab shows what a cell prints and the value of its last line: a check must not say it twice."""
    cells = ["from collectivisation import check", 'check("nb01_q1", 14)', 'check("nb01_q1", 3)',
             'check("nb01_q1", 14, quiet=True)', 'assert check("nb01_q1", 14, quiet=True)',
             'feedback = check("nb01_q1", 14)']
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    notebook_client(notebook, str(tmp_path), timeout=60).execute()
    shown = [_shown(cell.outputs) for cell in notebook.cells]
    assert [text.count("nb01_q1:") for text in shown] == [0, 1, 1, 1, 0, 1], shown
    assert "✅ nb01_q1: correct!" in shown[1] and "🔁 nb01_q1: not quite." in shown[2]


def test_exercises_hold_no_solutions_and_no_hidden_tests():
    for page in series(ROOT / "exercises"):
        text = page.path.read_text()
        assert BEGIN not in text and HIDDEN not in text, page.name
        assert (ROOT / "solutions" / page.name).exists(), f"{page.name} has no solution to be generated from"


def test_an_independent_count_agrees_with_the_key():
    """nb01_q1 asks for the essay's paragraphs: counted here without the solution's code."""
    essay = (ROOT / "data" / "essay.txt").read_text(encoding="utf-8")
    assert KEY["nb01_q1"]["answer"] == essay.count("\n\n") + 1


def _checkpoint_notebook(title: str, *checkpoints: dict) -> nbformat.NotebookNode:
    cells = [nbformat.v4.new_markdown_cell(f"# {title}"), nbformat.v4.new_code_cell("import collectivisation as cz")]
    for spec in checkpoints:
        answer = spec.get("answer", "A long enough verdict. " * 3)
        cells.append(nbformat.v4.new_code_cell(f"{spec['variable']} = {answer!r}\ncz.check({spec['id']!r}, "
                                               f"{spec['variable']})", metadata={"collectivisation": spec}))
    return nbformat.v4.new_notebook(cells=cells)


def _series_in(root, **notebooks) -> None:
    for folder in ("notebooks", "solutions"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "collectivisation").mkdir(exist_ok=True)
    for name, notebook in notebooks.items():
        nbformat.write(notebook, root / "notebooks" / f"{name}.ipynb")


CHECKPOINT = {**CHOICE, "id": "nb01_cp1"}
VERDICT = {"id": "nb01_cp2", "kind": "written", "variable": "cp2", "min_words": 10, "points": 2,
           "hint": "Weigh one figure.", "rubric": {"full": "f", "partial": "p", "weak": "w"},
           "examples": {"full": "a full answer", "partial": "a partial answer", "weak": "a weak answer"}}
NUMBER = {"id": "nb02_cp1", "kind": "number", "variable": "cp1", "answer": 35.3, "tolerance": 0.05, "points": 1,
          "hint": "Subtract.", "context": "Points."}


def test_checkpoints_in_core_notebooks_are_collected_into_the_answer_key(tmp_path, key_of):
    _series_in(tmp_path, **{"01_one": _checkpoint_notebook("One", CHECKPOINT, VERDICT),
                            "02_two": _checkpoint_notebook("Two", NUMBER)})
    key = json.loads(built_files(tmp_path, run=False)[answer_key_path(tmp_path)])
    assert set(key) == {"nb01_cp1", "nb01_cp2", "nb02_cp1"}
    assert {entry["source"] for entry in key.values()} == {"notebooks"}
    assert key["nb01_cp1"]["answer"] == "b" and "id" not in key["nb01_cp1"]
    key_of(key)
    assert check("nb01_cp1", "(b)", quiet=True) and check("nb02_cp1", 35.3, quiet=True)
    assert check("nb01_cp2", "word " * 12, quiet=True).status == "saved"


def test_the_build_runs_a_checkpoint_against_the_key_it_is_making(tmp_path):
    _series_in(tmp_path, **{"01_one": _checkpoint_notebook("One", CHECKPOINT)})
    built = nbformat.reads(built_files(tmp_path)[tmp_path / "notebooks" / "01_one.ipynb"], as_version=4)
    shown = _shown(next(cell for cell in built.cells if "collectivisation" in cell.metadata).outputs)
    assert shown.count("✅ nb01_cp1: correct!") == 1, shown


def test_two_cells_with_one_id_stop_the_build_with_a_message(tmp_path):
    _series_in(tmp_path, **{"01_one": _checkpoint_notebook("One", CHECKPOINT),
                            "02_two": _checkpoint_notebook("Two", {**NUMBER, "id": "nb01_cp1"})})
    with pytest.raises(BuildError, match=r"two cells share the id nb01_cp1: one in notebooks/01_one.ipynb, one in "
                                         r"notebooks/02_two.ipynb"):
        built_files(tmp_path, run=False)


def test_a_checkpoint_without_its_answer_stops_the_build_with_a_message(tmp_path):
    incomplete = {key: value for key, value in NUMBER.items() if key != "answer"}
    _series_in(tmp_path, **{"02_two": _checkpoint_notebook("Two", {**incomplete, "answer": None}),
                            "03_three": _checkpoint_notebook("Three", {**CHECKPOINT, "id": "nb03_cp1", "answer": "e"})})
    notebook = nbformat.read(tmp_path / "notebooks" / "02_two.ipynb", as_version=4)
    del notebook.cells[-1].metadata["collectivisation"]["answer"]
    nbformat.write(notebook, tmp_path / "notebooks" / "02_two.ipynb")
    with pytest.raises(BuildError) as error:
        built_files(tmp_path, run=False)
    assert "notebooks/02_two.ipynb: nb02_cp1: the metadata needs 'answer'" in str(error.value)
    assert "nb03_cp1: the answer 'e' is not one of the options a, b, c" in str(error.value)


def test_a_written_question_needs_one_example_answer_per_level_and_no_second_model_answer(tmp_path):
    """The top level's example is the indicative answer; an ``indicative`` beside it would be a second copy."""
    no_examples = {key: value for key, value in VERDICT.items() if key != "examples"}
    one_missing = {**VERDICT, "id": "nb02_cp2", "examples": {"full": "a full answer", "partial": "a partial answer"}}
    twice = {**VERDICT, "id": "nb03_cp2", "indicative": "a full answer"}
    _series_in(tmp_path, **{"01_one": _checkpoint_notebook("One", no_examples),
                            "02_two": _checkpoint_notebook("Two", one_missing),
                            "03_three": _checkpoint_notebook("Three", twice)})
    with pytest.raises(BuildError) as error:
        built_files(tmp_path, run=False)
    assert "nb01_cp2: the metadata needs 'examples'" in str(error.value)
    assert "nb02_cp2: 'examples' needs one example answer per rubric level, full, partial, weak" in str(error.value)
    assert "nb03_cp2: 'indicative' is a second copy" in str(error.value)


def test_an_empty_written_answer_is_not_answered_yet_not_a_mistake():
    """A verdict cell as the notebook gives it (empty triple quotes) has not been attempted: no hint, no mistake."""
    written = next(qid for qid, spec in answer_key().items() if spec["kind"] == "written")
    assert check(written, '"""\n\n"""'.strip('"'), quiet=True).status == "unanswered"
