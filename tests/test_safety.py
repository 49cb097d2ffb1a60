"""Commands that must not harm what they are pointed at: a teacher's folder, a worked answer, the caller's
environment, the cell ids a reviewer's diff relies on."""

import os
import shutil

import nbformat
import pytest

from collectivisation.tools import build, cli, site
from collectivisation.tools.paths import ROOT

FIRST_SOLUTION = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))[0]


# --- site --out never deletes a folder it did not make ---------------------------------------------------------

def test_site_refuses_a_folder_it_did_not_make_and_deletes_nothing(tmp_path, capsys):
    precious = tmp_path / "Documents"
    (precious / "essays").mkdir(parents=True)
    (precious / "essays" / "marks.xlsx").write_bytes(b"a term of work")
    assert cli.main(["site", "--out", str(precious)]) == 2
    assert (precious / "essays" / "marks.xlsx").read_bytes() == b"a term of work"
    message = capsys.readouterr().out
    assert str(precious) in message and "not empty" in message


def test_site_replaces_a_folder_it_made_itself(tmp_path):
    out = tmp_path / "site"
    site.prepare_output(out)
    (out / "old_page.html").write_text("from last time")
    site.prepare_output(out)
    assert (out / site.MARKER).exists() and not (out / "old_page.html").exists()


def test_site_writes_into_a_new_or_empty_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    for out in (tmp_path / "empty", tmp_path / "new" / "site"):
        site.prepare_output(out)
        assert (out / site.MARKER).exists()


# --- build refuses a solution marker without its partner ---------------------------------------------------------

def _series_with(tmp_path, broken_source: str):
    """A copy of the first solution whose first answer cell has ``broken_source``; return (root, cell index, id)."""
    (tmp_path / "solutions").mkdir()
    notebook = nbformat.read(FIRST_SOLUTION, as_version=4)
    index = next(i for i, c in enumerate(notebook.cells) if c.metadata.get("nbgrader", {}).get("solution"))
    notebook.cells[index].source = broken_source
    nbformat.write(notebook, tmp_path / "solutions" / FIRST_SOLUTION.name)
    return tmp_path, index, notebook.cells[index].id


@pytest.mark.parametrize("source", [
    "### BEGIN SOLUTION\nq1 = len(paragraphs)\n",
    "q1 = len(paragraphs)\n### END SOLUTION\n",
    "### BEGIN SOLUTION\nq1 = 1\n### END SOLUTION\n### BEGIN SOLUTION\nq1 = len(paragraphs)\n",
], ids=["begin without end", "end without begin", "second begin without end"])
def test_build_names_the_file_and_cell_of_an_unmatched_solution_marker(tmp_path, source):
    root, index, cell_id = _series_with(tmp_path, source)
    with pytest.raises(build.BuildError) as error:
        build.built_files(root, run=False)
    message = str(error.value)
    assert f"solutions/{FIRST_SOLUTION.name}" in message
    assert f"cell {index}" in message and cell_id in message


# --- build gives the kernel its answer key without changing the caller's environment ---------------------------

def test_the_build_passes_the_fresh_key_to_the_kernel_only(tmp_path, monkeypatch):
    monkeypatch.setenv("COLLECTIVISATION_KEY", "the teacher's own setting")
    before = dict(os.environ)
    question = nbformat.v4.new_code_cell("### BEGIN SOLUTION\nq1 = 3\n### END SOLUTION", metadata={
        "nbgrader": {"grade_id": "nb99_q1", "solution": True, "grade": False},
        "collectivisation": {"kind": "number", "variable": "q1", "hint": "h", "context": "c", "points": 1}})
    seen = nbformat.v4.new_code_cell("import os\nprint(os.environ['COLLECTIVISATION_KEY'])")
    notebook = nbformat.v4.new_notebook(cells=[question, seen])
    ran, entries = build._run_solution(notebook, tmp_path / "answer_key.json")
    assert entries["nb99_q1"]["answer"] == 3
    printed = ran.cells[1].outputs[0]["text"].strip()
    assert printed.endswith("answer_key.json"), "the second run must check against the fresh key"
    assert dict(os.environ) == before


# --- cell ids survive a build, and inserting a cell renumbers nothing --------------------------------------------

def test_inserting_a_cell_keeps_every_other_cells_id(tmp_path):
    (tmp_path / "solutions").mkdir()
    shutil.copy(FIRST_SOLUTION, tmp_path / "solutions")
    path = tmp_path / "solutions" / FIRST_SOLUTION.name
    first = nbformat.reads(build.built_files(tmp_path, run=False)[path], as_version=4)
    before = [cell.id for cell in first.cells]
    first.cells.insert(3, nbformat.v4.new_markdown_cell("A teacher's note."))
    nbformat.write(first, path)
    second = nbformat.reads(build.built_files(tmp_path, run=False)[path], as_version=4)
    after = [cell.id for cell in second.cells]
    assert after[:3] + after[4:] == before
    assert after[3] not in before
    third = nbformat.reads(build.built_files(tmp_path, run=False)[path], as_version=4)
    assert [cell.id for cell in third.cells] == after, "a new cell's id must not change from build to build"


def test_a_new_cells_id_does_not_depend_on_chance(tmp_path):
    """Jupyter gives a new cell a random id; the build replaces it with one that is the same on every machine."""
    (tmp_path / "solutions").mkdir()
    path = tmp_path / "solutions" / FIRST_SOLUTION.name
    notebook = nbformat.read(FIRST_SOLUTION, as_version=4)
    ids = set()
    for _ in range(2):
        copy = nbformat.from_dict(notebook)
        copy.cells.insert(3, nbformat.v4.new_markdown_cell("A teacher's note."))  # a fresh random id each time
        nbformat.write(copy, path)
        ids.add(nbformat.reads(build.built_files(tmp_path, run=False)[path], as_version=4).cells[3].id)
    assert len(ids) == 1
