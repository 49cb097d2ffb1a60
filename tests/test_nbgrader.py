"""A course that runs nbgrader can use solutions/ unchanged: generate_assignment, then autograde, give the points.

nbgrader pins its own Jupyter stack, so it runs in its own environment (build/nbgrader-venv, made from
requirements-nbgrader.txt on first use, about a minute, by conftest.tool_environment); its kernel is this
environment's Python, which has the series' package and data.
"""

import copy
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
from conftest import tool_environment

from collectivisation.tools.homework import BEGIN, END

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = "01_reading_the_essay.ipynb"


#: The course's whole round in one process, since nbgrader takes seconds to import: generate the release from the
#: source ("nbgrader generate_assignment"), then, once the test has handed in its submissions (it waits for a line
#: on stdin), autograde them and print each student's score. The first line skips the grammar of web addresses
#: that jsonschema would compile as nbgrader imports it, as the test processes do
#: (collectivisation/tools/pytest_plugin.py): no schema nbgrader checks uses it.
COURSE_ROUND = """
import json, sys
sys.modules.setdefault("rfc3987_syntax", None)
from traitlets.config import Config
from nbgrader.apps import NbGraderAPI
config = Config()
config.CourseDirectory.root = sys.argv[1]
api = NbGraderAPI(config=config)
result = api.generate_assignment("ps1", force=True)
assert result["success"], result.get("error", "") + result.get("log", "")
print("released", flush=True)
sys.stdin.readline()
for student in sys.argv[2:]:
    result = api.autograde("ps1", student)
    assert result["success"], result.get("error", "") + result.get("log", "")
gradebook = api.gradebook
submissions = {student: gradebook.find_submission("ps1", student) for student in sys.argv[2:]}
print(json.dumps({student: [found.score, found.max_score] for student, found in submissions.items()}))
gradebook.close()
"""


def start_round(bin_dir: Path, course: Path, *students: str) -> subprocess.Popen:
    """``COURSE_ROUND`` running in nbgrader's environment, in the course folder."""
    env = dict(os.environ, JUPYTER_PATH=str(course / "jupyter"), PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return subprocess.Popen([str(bin_dir / "python"), "-c", COURSE_ROUND, str(course), *students], cwd=course,
                            env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def fill_in(release, solution):
    """A student's submission: the released notebook with each answer cell written as the solution has it."""
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in solution.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    for cell in release.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers and cell.metadata["nbgrader"].get("solution"):
            cell.source = re.sub(rf"^\s*({BEGIN}|{END})\s*\n", "", answers[grade_id], flags=re.M)
    return release


def test_nbgrader_generates_and_autogrades_a_solution_notebook(tmp_path):
    bin_dir = tool_environment("nbgrader", "requirements-nbgrader.txt")
    course = tmp_path / "course"
    (course / "source" / "ps1").mkdir(parents=True)
    (course / "jupyter" / "kernels" / "python3").mkdir(parents=True)
    (course / "jupyter" / "kernels" / "python3" / "kernel.json").write_text(json.dumps(
        {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
         "display_name": "Python 3", "language": "python"}))
    (course / "nbgrader_config.py").write_text(f"c = get_config()\nc.CourseDirectory.root = {str(course)!r}\n")
    solution = nbformat.read(ROOT / "solutions" / NOTEBOOK, as_version=4)
    nbformat.write(solution, course / "source" / "ps1" / NOTEBOOK)

    course_round = start_round(bin_dir, course, "alice", "bob")
    assert course_round.stdout.readline() == "released\n", course_round.communicate()[1]
    release = nbformat.read(course / "release" / "ps1" / NOTEBOOK, as_version=4)
    assert BEGIN not in nbformat.writes(release), "nbgrader must strip the solutions from the released notebook"
    for student, notebook in (("alice", fill_in(copy.deepcopy(release), solution)), ("bob", release)):
        (course / "submitted" / student / "ps1").mkdir(parents=True)
        nbformat.write(notebook, course / "submitted" / student / "ps1" / NOTEBOOK)
    printed, errors = course_round.communicate("handed in\n", timeout=300)
    assert course_round.returncode == 0, errors
    scores = json.loads(printed)
    graded = [c.metadata["nbgrader"] for c in solution.cells if c.metadata.get("nbgrader", {}).get("grade")]
    automatic = sum(m["points"] for m in graded if not m.get("solution"))
    everything = sum(m["points"] for m in graded)
    assert scores["alice"][0] == automatic, "the full solution earns every autograded point"
    assert scores["bob"][0] == 0, "an unanswered notebook earns nothing"
    assert scores["alice"][1] == everything, "written answers count, to be marked by hand"
