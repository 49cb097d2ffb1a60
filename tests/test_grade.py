"""The teacher's grade command: full marks for the solutions, zero for blank exercises, and a messy folder handled."""

import ast
import csv
import hashlib
import html
import io
import os
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from collectivisation.answers import answer_key
from collectivisation.tools.build import series
from collectivisation.tools.paths import ROOT
from collectivisation.tools import cli
from collectivisation.tools import grade as grading
from collectivisation.tools.grade import RosterError, find_submissions, grade, read_roster, student_name
from collectivisation.tools.outputs import errors_and_warnings

SLUGS = [page.path.stem for page in series(ROOT / "solutions")]


def exercise_questions() -> dict:
    """The key's entries that the exercises (made from solutions/) ask; the core notebooks' are graded apart."""
    return {qid: spec for qid, spec in answer_key().items() if spec["source"] == "solutions"}


def points_by_question(out: Path) -> dict:
    with (out / "grades.csv").open() as handle:
        return {(row["student_name"], row["question"]): row for row in csv.DictReader(handle)}


def summary_of(out: Path) -> list[dict]:
    with (out / "summary.csv").open() as handle:
        return list(csv.DictReader(handle))


def touch(path: Path, minutes_ago: int) -> None:
    """Give a copied file the modification time a download ``minutes_ago`` would have."""
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime - 60 * minutes_ago))


def fingerprint(folder: Path) -> dict:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()}


def tiny_notebook(*sources: str) -> nbformat.NotebookNode:
    """A handed-in notebook of a few cells: what an odd case needs, without the cost of running a whole lesson."""
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in sources])


FIRST = SLUGS[0]
#: A question of the first exercise with a number for its answer, and that answer as a student would type it.
Q1 = next(qid for qid, spec in exercise_questions().items() if qid.startswith(f"nb{FIRST[:2]}_")
          and spec["kind"] == "number")
VARIABLE, ANSWER = exercise_questions()[Q1]["variable"], exercise_questions()[Q1]["answer"]
ANSWER_Q1 = f"from collectivisation import check\n{VARIABLE} = {ANSWER!r}\ncheck({Q1!r}, {VARIABLE})"


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    """A folder as a learning platform exports it, graded once for all the tests below: one student's full
    solution (downloaded twice), another's blank copy of every exercise, and the odd files a class hands in."""
    folder = tmp_path_factory.mktemp("submissions")
    (folder / "period 3" / "jones_k").mkdir(parents=True)
    for slug in SLUGS:
        shutil.copy(ROOT / "exercises" / f"{slug}.ipynb", folder / "period 3" / "jones_k" / f"{slug}.ipynb")
    shutil.copy(ROOT / "solutions" / f"{FIRST}.ipynb", folder / "period 3" / f"smith_j_{FIRST}.ipynb")
    shutil.copy(ROOT / "solutions" / f"{FIRST}.ipynb", folder / f"smith_j_{FIRST} (1).ipynb")  # a duplicate
    touch(folder / "period 3" / f"smith_j_{FIRST}.ipynb", minutes_ago=30)  # ... downloaded again later
    nbformat.write(tiny_notebook(ANSWER_Q1), folder / "renamed_by_platform.ipynb")  # known by its question ids
    (folder / f"brown_{FIRST}.ipynb").write_text("{ this is not JSON")
    (folder / "notes.docx").write_bytes(b"PK\x03\x04 a stray file")
    shutil.copy(ROOT / "benchmarks" / "floor.ipynb", folder / "green_99_other_wrong.ipynb")
    nbformat.write(tiny_notebook("raise ValueError('a student error')", ANSWER_Q1), folder / f"black_{FIRST}.ipynb")
    before = fingerprint(folder)
    out = tmp_path_factory.mktemp("out")
    submissions = grade(folder, out, limit=120, workers=2, progress=None)
    return folder, out, submissions, before


def test_a_full_solution_scores_full_marks(messy):
    _, out, _, _ = messy
    key, rows = exercise_questions(), points_by_question(out)
    asked = [qid for qid in key if qid.startswith(f"nb{FIRST[:2]}_")]
    assert {"number", "frame", "figure", "choice", "written"} <= {key[qid]["kind"] for qid in asked}
    for qid in asked:
        row = rows[("smith_j", qid)]
        if key[qid]["kind"] == "written":
            assert row["points"] == "" and row["status"] == "to mark by hand", qid
        else:
            assert int(row["points"]) == key[qid]["points"], f"{qid}: {row}"


@pytest.mark.parametrize("slug", SLUGS)
def test_every_solution_would_score_full_marks(slug):
    """The grader asks ``check`` about each answer's variable once the whole notebook has run (as the test above
    proves on one solution). Every solution therefore scores full marks if each check cell printed "correct" (the
    suite's notebook run proves each still does) and no later cell gives its variable another value."""
    key = exercise_questions()
    solution = nbformat.read(ROOT / "solutions" / f"{slug}.ipynb", as_version=4)
    code = [cell for cell in solution.cells if cell.cell_type == "code"]
    checked = set()
    for number, cell in enumerate(code):
        asked = re.findall(r"^check\(\s*['\"](nb\d\d_\w+)['\"]", cell.source, re.M)  # not nbgrader's hidden tests
        for qid in asked:
            printed = "".join(output.get("text", "") for output in cell.outputs)
            expected = "saved" if key[qid]["kind"] == "written" else "correct"
            assert f"{qid}: {expected}" in printed, f"{slug} {qid}: the solution's check printed {printed[:120]!r}"
            variable = key[qid]["variable"]
            later = [c for c in code[number + 1:] if variable in assigned_names(c.source)]
            assert not later, f"{slug}: a later cell gives {variable} ({qid}) another value"
            checked.add(qid)
    assert checked == {qid for qid in key if qid.startswith(f"nb{slug[:2]}_")}, f"{slug}: a question is never checked"


def assigned_names(source: str) -> set[str]:
    """Names a cell's code binds at its top level (``x = ...``, ``x += ...``, ``for x in ...``)."""
    python = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))  # no magics
    names = set()
    for node in ast.walk(ast.parse(python)):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.For)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {name.id for target in targets for name in ast.walk(target) if isinstance(name, ast.Name)}
    return names


def test_blank_exercises_score_zero(messy):
    rows = points_by_question(messy[1])
    for qid in exercise_questions():
        assert rows[("jones_k", qid)]["points"] in ("0", ""), qid
        assert rows[("jones_k", qid)]["status"] == "unanswered", qid


def test_every_blank_exercise_runs_with_no_error_and_no_warning(messy):
    """A student's first Run All of an exercise, as handed out, shows no red box."""
    _, _, submissions, _ = messy
    blanks = [s for s in submissions if s.student == "jones_k"]
    assert sorted(s.notebook for s in blanks) == SLUGS
    problems = [problem for s in blanks for problem in errors_and_warnings(f"exercises/{s.notebook}", s.ran)]
    assert not problems, "\n".join(map(str, problems))


def test_every_file_gets_a_clear_status(messy):
    folder, out, _, _ = messy
    with (out / "summary.csv").open() as handle:
        status = {row["file"]: row["status"] for row in csv.DictReader(handle)}
    assert status[f"brown_{FIRST}.ipynb"].startswith("unreadable")
    assert status["notes.docx"] == "skipped: not a notebook"
    assert status["green_99_other_wrong.ipynb"] == "not one of the series' exercises"
    assert "raised an error" in status[f"black_{FIRST}.ipynb"]
    assert status["renamed_by_platform.ipynb"] == "graded"
    assert status[f"smith_j_{FIRST} (1).ipynb"] == "graded"
    assert status[f"period 3/smith_j_{FIRST}.ipynb"] == f"duplicate, not graded: smith_j_{FIRST} (1).ipynb is newer and was graded"


def test_answers_are_found_by_id_and_deleted_cells_are_reported(messy):
    rows = points_by_question(messy[1])
    missing = next(qid for qid in exercise_questions() if qid.startswith(f"nb{FIRST[:2]}_") and qid != Q1)
    assert rows[("black", missing)]["status"] == "missing"
    assert rows[("black", Q1)]["status"] == "correct", "a cell that raises must not cost later answers"


def test_a_notebook_that_never_finishes_is_stopped_and_its_earlier_answers_graded(tmp_path):
    (tmp_path / "class").mkdir()
    nbformat.write(tiny_notebook(ANSWER_Q1, "import time\nwhile True:\n    time.sleep(0.1)"),
                   tmp_path / "class" / f"white_{FIRST}.ipynb")
    submissions = grade(tmp_path / "class", tmp_path / "out", limit=5, workers=1, progress=None)
    assert "time limit" in submissions[0].status
    assert points_by_question(tmp_path / "out")[("white", Q1)]["status"] == "correct"


def test_written_answers_appear_side_by_side_with_the_rubric(messy):
    out = messy[1]
    page = (out / "answers" / f"{FIRST}.html").read_text()
    key = exercise_questions()
    written = [q for q in key if q.startswith(f"nb{FIRST[:2]}_") and key[q]["kind"] == "written"]
    assert written
    for qid in written:
        assert qid in page and all(html.escape(text) in page for text in key[qid]["rubric"].values())
    assert "smith_j" in page and "jones_k" in page and "(unanswered)" in page


def test_the_teachers_folder_is_not_modified(messy):
    folder, _, _, before = messy
    assert fingerprint(folder) == before


# --- Whose notebook it is ----------------------------------------------------------------------------------------

E = FIRST


@pytest.mark.parametrize("path,name", [
    (f"Carol Smith - {E} (1).ipynb", "Carol Smith"),                                # Google Classroom, downloaded twice
    (f"{E} - Carol Smith.ipynb", "Carol Smith"),
    (f"Copy of {E} - Carol Smith.ipynb", "Carol Smith"),
    ("Carol Smith - 01 Reading The Essay - Copy (2).ipynb", "Carol Smith"),          # retitled, copied
    (f"Smith_J_12345_assignsubmission_file_{E}.ipynb", "Smith_J"),                 # Moodle, one folder
    (f"Carol Smith_98765_assignsubmission_file_/{E}.ipynb", "Carol Smith"),        # Moodle, a folder each
    (f"smithj_12345_67890_{E}.ipynb", "smithj"),                                   # Canvas
    (f"smithj_LATE_12345_67890_{E}-1.ipynb", "smithj"),                            # Canvas, late, resubmitted
    (f"smith_j_{E}.ipynb", "smith_j"),
    (f"period 3/jones_k/{E}.ipynb", "jones_k"),                                    # a folder per student
    (f"Anne-Marie O'Neil - {E}.ipynb", "Anne-Marie O'Neil"),
    (f"student007_{E}.ipynb", "student007"),
    (f"{E}.ipynb", ""),                                                            # nothing names anyone
])
def test_the_students_name_is_read_from_what_platforms_make_of_the_file_name(path, name):
    assert student_name(Path(path), E) == name


def test_a_roster_needs_its_columns_and_says_so(tmp_path, capsys):
    roster = tmp_path / "roster.csv"
    roster.write_text("file,student\nsmith,Jane Smith\n")
    with pytest.raises(RosterError, match="pattern, name and id"):
        read_roster(roster)
    assert cli.main(["grade", str(tmp_path), "--out", str(tmp_path / "out"), "--roster", str(roster)]) == 2
    assert "pattern, name and id" in capsys.readouterr().out
    roster.write_text("\ufeffPattern,Name,ID\nsmith_j,Jane Smith,12345\n,,\n*jones*,Kim Jones,\n")  # as Excel saves it
    assert [(s.pattern, s.name, s.id) for s in read_roster(roster)] == [
        ("smith_j", "Jane Smith", "12345"), ("*jones*", "Kim Jones", "")]


@pytest.fixture(scope="module")
def one_class(tmp_path_factory):
    """One notebook handed in by a class through different platforms, re-downloaded and handed in twice. Whose file
    is whose does not depend on what is in it, so the files are tiny: one answers a question, the other is blank."""
    folder = tmp_path_factory.mktemp("class")
    answered, blank = tiny_notebook(ANSWER_Q1), tiny_notebook("from collectivisation import check")
    nbformat.write(blank, folder / f"Carol Smith - {E}.ipynb")
    touch(folder / f"Carol Smith - {E}.ipynb", minutes_ago=60)               # her first try ...
    nbformat.write(answered, folder / f"Carol Smith - {E} (1).ipynb")        # ... and the newer one
    nbformat.write(answered, folder / f"Smith_J_12345_assignsubmission_file_{E}.ipynb")
    nbformat.write(blank, folder / f"jonesk_12345_67890_{E}.ipynb")
    (folder / "Dan Brown_555_assignsubmission_file_").mkdir()
    nbformat.write(answered, folder / "Dan Brown_555_assignsubmission_file_" / f"{E}.ipynb")
    roster = tmp_path_factory.mktemp("roster") / "roster.csv"
    roster.write_text("pattern,name,id\ncarol smith,Carol Smith,1001\nsmith_j,Jane Smith,1002\n*brown*/*,Dan Brown,1003\n")
    out = tmp_path_factory.mktemp("graded")
    return folder, out, grade(folder, out, limit=120, workers=2, progress=None, roster=read_roster(roster))


def test_one_row_per_student_and_notebook_with_the_right_names(one_class):
    """Without a roster, names come from the files; with one, from the roster (the class graded once, with it)."""
    folder, out, _ = one_class
    found, _ = find_submissions(folder)
    counted = [s for s in found if not s.status.startswith("duplicate")]
    assert sorted(s.student for s in counted) == ["Carol Smith", "Dan Brown", "Smith_J", "jonesk"]
    assert [s.path.name for s in counted if s.student == "Carol Smith"] == [f"Carol Smith - {E} (1).ipynb"]
    summary = [row for row in summary_of(out) if not row["status"].startswith("duplicate")]
    assert sorted(row["student_name"] for row in summary) == ["Carol Smith", "Dan Brown", "Jane Smith", "jonesk"]
    carol = next(row for row in summary if row["student_name"] == "Carol Smith")
    assert carol["file"] == f"Carol Smith - {E} (1).ipynb"
    assert carol["auto_points"] == str(exercise_questions()[Q1]["points"]), "her newer, answered file is graded"
    grades = list(csv.DictReader((out / "grades.csv").open()))
    assert {row["student_name"] for row in grades} == {"Carol Smith", "Dan Brown", "jonesk", "Jane Smith"}
    assert len(points_by_question(out)) == len(grades), "a student's question counted twice"


def test_a_duplicate_is_reported_not_graded_and_not_summed(one_class):
    _, out, submissions = one_class
    older = next(row for row in summary_of(out) if row["file"] == f"Carol Smith - {E}.ipynb")
    assert older["status"].startswith("duplicate, not graded") and f"Carol Smith - {E} (1).ipynb" in older["status"]
    assert older["auto_points"] == "" and older["student_name"] == "Carol Smith"
    printed = io.StringIO()
    grading.print_summary(submissions, out, printed)
    assert f"Carol Smith - {E}.ipynb (Carol Smith): duplicate, not graded" in printed.getvalue()


def test_the_roster_names_students_and_reports_files_it_does_not_know(one_class):
    _, out, submissions = one_class
    rows = {row["file"]: row for row in summary_of(out)}
    assert (rows[f"Carol Smith - {E} (1).ipynb"]["student_id"], rows[f"Carol Smith - {E} (1).ipynb"]["student_name"]) \
        == ("1001", "Carol Smith")
    assert rows[f"Smith_J_12345_assignsubmission_file_{E}.ipynb"]["student_name"] == "Jane Smith"
    assert rows[f"Dan Brown_555_assignsubmission_file_/{E}.ipynb"]["student_id"] == "1003"
    stranger = rows[f"jonesk_12345_67890_{E}.ipynb"]
    assert stranger["student_id"] == "" and "not on the roster" in stranger["status"]
    assert stranger["auto_max"] != "", "a file the roster does not know is still graded"
    printed = io.StringIO()
    grading.print_summary(submissions, out, printed)
    assert f"not on the roster: jonesk_12345_67890_{E}.ipynb" in printed.getvalue()


# --- Core notebooks with questions of their own ------------------------------------------------------------------

def _answered(notebook, answers: dict) -> nbformat.NotebookNode:
    """A copy of a core notebook as a student hands it in: each checkpoint or verdict cell named in ``answers`` holds
    that answer, the others are left as they were (unanswered)."""
    for cell in notebook.cells:
        spec = cell.metadata.get("collectivisation", {})
        if spec.get("id") in answers:
            variable = spec["variable"]
            cell.source = f"{variable} = {answers[spec['id']]!r}\ncz.check({spec['id']!r}, {variable})"
    return notebook


@pytest.fixture(scope="module")
def core_class(tmp_path_factory):
    """Core notebook 01 handed in twice (answered right; its choices answered wrong and the rest untouched), and the
    exercise of the same name by one of the same students; graded once."""
    key, asked = answer_key(), grading.questions_of(E, grading.CORE)
    verdict = next(qid for qid, kind in asked if key[qid]["kind"] == "written")
    right = {qid: key[qid]["answer"] for qid, _ in asked if key[qid]["kind"] in ("choice", "number")}
    right[verdict] = "The essay is a student's argument, not a source: its figures need tracing first. " * 3
    wrong = {qid: ("a" if key[qid]["answer"] != "a" else "b") for qid, _ in asked if key[qid]["kind"] == "choice"}
    folder = tmp_path_factory.mktemp("core")
    core = ROOT / "notebooks" / f"{E}.ipynb"
    nbformat.write(_answered(nbformat.read(core, as_version=4), right), folder / f"smith_j_{E}.ipynb")
    nbformat.write(_answered(nbformat.read(core, as_version=4), wrong), folder / f"brown_d_{E}.ipynb")
    shutil.copy(ROOT / "exercises" / f"{E}.ipynb", folder / f"smith_j_{E} (1).ipynb")  # the exercise of that name
    out = tmp_path_factory.mktemp("core_out")
    grade(folder, out, limit=120, workers=2, progress=None)
    return out, right, verdict


def test_a_handed_in_core_notebook_is_graded_on_its_checkpoints_and_verdicts(core_class):
    out, right, verdict = core_class
    key, rows = answer_key(), points_by_question(out)
    asked = [qid for qid, _ in grading.questions_of(E, grading.CORE)]
    assert {"choice", "number", "written"} <= {key[qid]["kind"] for qid in asked}
    assert {q for (who, q) in rows if who == "brown_d"} == set(asked)
    assert all(rows[("brown_d", qid)]["part"] == "notebook" for qid in asked)
    for qid in asked:
        done, other = rows[("smith_j", qid)], rows[("brown_d", qid)]
        if qid == verdict:
            assert done["points"] == "" and done["status"] == "to mark by hand", done
        else:
            assert done["status"] == "correct" and int(done["points"]) == key[qid]["points"], done
        if key[qid]["kind"] == "choice":
            assert other["status"] == "incorrect" and other["points"] == "0", other
        else:
            assert other["status"] == "unanswered" and other["points"] in ("0", ""), other
    summary = {(row["student_name"], row["part"]): row for row in summary_of(out)}
    assert summary["smith_j", "notebook"]["status"] == "graded"
    assert summary["smith_j", "notebook"]["auto_points"] == summary["smith_j", "notebook"]["auto_max"] != "0"
    assert summary["smith_j", "notebook"]["to_mark_by_hand"] == "1"


def test_a_core_notebook_and_the_exercise_of_the_same_name_are_two_hand_ins(core_class):
    """Each is graded on its own questions; neither is taken for a duplicate of the other."""
    out = core_class[0]
    by_part = {}
    for row in csv.DictReader((out / "grades.csv").open()):
        if row["student_name"] == "smith_j":
            by_part.setdefault(row["part"], set()).add(row["question"])
    assert by_part["notebook"] == {qid for qid, _ in grading.questions_of(E, grading.CORE)}
    assert by_part["exercise"] == {qid for qid, _ in grading.questions_of(E)}
    assert not any(row["status"].startswith("duplicate") for row in summary_of(out))


def test_a_core_notebooks_verdicts_appear_beside_their_rubric(core_class):
    out, right, verdict = core_class
    page = (out / "answers" / f"{E}_notebook.html").read_text()
    assert verdict in page and html.escape(right[verdict]) in page
    assert all(html.escape(level) in page and html.escape(text) in page
               for level, text in answer_key()[verdict]["rubric"].items())
    assert "brown_d" in page and "(unanswered)" in page


def test_the_marking_page_shows_an_example_answer_per_level_beside_the_rubric(tmp_path):
    """A teacher marking a written answer by hand sees, for each level, an answer that earns it: the notebooks'
    verdicts as well as the exercises' questions."""
    key, notebook = answer_key(), "05_livestock"
    handed_in = [grading.Submission(tmp_path / f"smith_j_{notebook}.ipynb", "smith_j", notebook, source)
                 for source in (grading.EXERCISE, grading.CORE)]
    grading._write_answer_pages(handed_in, tmp_path / "answers", key)
    for source, page in ((grading.EXERCISE, f"{notebook}.html"), (grading.CORE, f"{notebook}_notebook.html")):
        shown = (tmp_path / "answers" / page).read_text(encoding="utf-8")
        written = [qid for qid, _ in grading.questions_of(notebook, source) if key[qid]["kind"] == "written"]
        assert written, page
        for qid in written:
            for level, text in key[qid]["examples"].items():
                assert f"<b>{html.escape(level)}</b>: {html.escape(text)}" in shown, f"{page}: {qid} {level}"
