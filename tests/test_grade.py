"""The teacher's grade command: full marks for the solutions, zero for blank exercises, and a messy folder handled."""

import csv
import hashlib
import shutil
from pathlib import Path

import nbformat
import pytest

from collectivisation.answers import answer_key
from collectivisation.tools.build import series
from collectivisation.tools.paths import ROOT
from collectivisation.tools.grade import grade

SLUGS = [page.path.stem for page in series(ROOT / "solutions")]


def points_by_question(out: Path) -> dict:
    with (out / "grades.csv").open() as handle:
        return {(row["student"], row["question"]): row for row in csv.DictReader(handle)}


def fingerprint(folder: Path) -> dict:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    """A folder as a learning platform exports it, graded once for all the tests below."""
    folder = tmp_path_factory.mktemp("submissions")
    (folder / "period 3" / "jones_k").mkdir(parents=True)
    for slug in SLUGS:
        shutil.copy(ROOT / "solutions" / f"{slug}.ipynb", folder / "period 3" / f"smith_j_{slug}.ipynb")
        shutil.copy(ROOT / "exercises" / f"{slug}.ipynb", folder / "period 3" / "jones_k" / f"{slug}.ipynb")
    first = SLUGS[0]
    shutil.copy(ROOT / "solutions" / f"{first}.ipynb", folder / f"smith_j_{first} (1).ipynb")  # a duplicate
    shutil.copy(ROOT / "solutions" / f"{first}.ipynb", folder / "renamed_by_platform.ipynb")  # a renamed copy
    (folder / f"brown_{first}.ipynb").write_text("{ this is not JSON")
    (folder / "notes.docx").write_bytes(b"PK\x03\x04 a stray file")
    shutil.copy(ROOT / "benchmarks" / "floor.ipynb", folder / f"green_{first}_wrong.ipynb".replace(first, "99_other"))
    hanging = nbformat.read(ROOT / "solutions" / f"{first}.ipynb", as_version=4)
    hanging.cells.insert(len(hanging.cells) - 2, nbformat.v4.new_code_cell("import time\nwhile True:\n    time.sleep(0.1)"))
    nbformat.write(hanging, folder / f"white_{first}.ipynb")
    deleting = nbformat.read(ROOT / "solutions" / f"{first}.ipynb", as_version=4)
    deleting.cells = [c for c in deleting.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "nb01_q2"]
    deleting.cells.insert(3, nbformat.v4.new_code_cell("raise ValueError('a student error')"))
    nbformat.write(deleting, folder / f"black_{first}.ipynb")
    before = fingerprint(folder)
    out = tmp_path_factory.mktemp("out")
    submissions = grade(folder, out, limit=30, workers=2, progress=None)
    return folder, out, submissions, before


def test_the_solutions_score_full_marks(messy):
    _, out, _, _ = messy
    key, rows = answer_key(), points_by_question(messy[1])
    for qid, spec in key.items():
        row = rows[("smith_j", qid)]
        if spec["kind"] == "written":
            assert row["points"] == "" and row["status"] == "to mark by hand", qid
        else:
            assert int(row["points"]) == spec["points"], f"{qid}: {row}"


def test_blank_exercises_score_zero(messy):
    rows = points_by_question(messy[1])
    for qid in answer_key():
        assert rows[("jones_k", qid)]["points"] in ("0", ""), qid
        assert rows[("jones_k", qid)]["status"] == "unanswered", qid


def test_every_file_gets_a_clear_status(messy):
    folder, out, _, _ = messy
    with (out / "summary.csv").open() as handle:
        status = {row["file"]: row["status"] for row in csv.DictReader(handle)}
    first = SLUGS[0]
    assert status[f"brown_{first}.ipynb"].startswith("unreadable")
    assert status["notes.docx"] == "skipped: not a notebook"
    assert status[f"green_99_other_wrong.ipynb"] == "not one of the series' exercises"
    assert "time limit" in status[f"white_{first}.ipynb"]
    assert "raised an error" in status[f"black_{first}.ipynb"]
    assert status["renamed_by_platform.ipynb"] == "graded"
    assert status[f"smith_j_{first} (1).ipynb"] == "graded"


def test_answers_are_found_by_id_and_deleted_cells_are_reported(messy):
    rows = points_by_question(messy[1])
    assert rows[("black", "nb01_q2")]["status"] == "missing"
    assert rows[("black", "nb01_q1")]["status"] == "correct", "a cell that raises must not cost later answers"
    assert rows[("white", "nb01_q1")]["status"] == "correct", "answers given before a hang are still graded"


def test_written_answers_appear_side_by_side_with_the_rubric(messy):
    out = messy[1]
    page = (out / "answers" / f"{SLUGS[0]}.html").read_text()
    key = answer_key()
    written = [q for q in key if q.startswith("nb01_") and key[q]["kind"] == "written"]
    assert written
    for qid in written:
        assert qid in page and key[qid]["rubric"]["full"] in page
    assert "smith_j" in page and "jones_k" in page and "(unanswered)" in page


def test_the_teachers_folder_is_not_modified(messy):
    folder, _, _, before = messy
    assert fingerprint(folder) == before
