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


#: Autograde every submission and print each student's score, in one process: nbgrader takes seconds to import, and
#: `nbgrader autograde` then `nbgrader export` would import it twice.
AUTOGRADE_AND_SCORE = """
import json, sys
from traitlets.config import Config
from nbgrader.apps import NbGraderAPI
config = Config()
config.CourseDirectory.root = sys.argv[1]
api = NbGraderAPI(config=config)
for student in sys.argv[2:]:
    result = api.autograde("ps1", student)
    assert result["success"], result.get("error", "") + result.get("log", "")
gradebook = api.gradebook
submissions = {student: gradebook.find_submission("ps1", student) for student in sys.argv[2:]}
print(json.dumps({student: [found.score, found.max_score] for student, found in submissions.items()}))
gradebook.close()
"""


def run(bin_dir: Path, course: Path, program: str, *args: str) -> str:
    """What ``program`` (a command of nbgrader's environment) prints, run in the course folder."""
    env = dict(os.environ, JUPYTER_PATH=str(course / "jupyter"), PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return subprocess.run([str(bin_dir / program), *args], cwd=course, env=env, check=True, capture_output=True,
                          text=True).stdout


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

    run(bin_dir, course, "nbgrader", "generate_assignment", "ps1", "--force")
    release = nbformat.read(course / "release" / "ps1" / NOTEBOOK, as_version=4)
    assert BEGIN not in nbformat.writes(release), "nbgrader must strip the solutions from the released notebook"
    for student, notebook in (("alice", fill_in(copy.deepcopy(release), solution)), ("bob", release)):
        (course / "submitted" / student / "ps1").mkdir(parents=True)
        nbformat.write(notebook, course / "submitted" / student / "ps1" / NOTEBOOK)
    scores = json.loads(run(bin_dir, course, "python", "-c", AUTOGRADE_AND_SCORE, str(course), "alice", "bob"))
    graded = [c.metadata["nbgrader"] for c in solution.cells if c.metadata.get("nbgrader", {}).get("grade")]
    automatic = sum(m["points"] for m in graded if not m.get("solution"))
    everything = sum(m["points"] for m in graded)
    assert scores["alice"][0] == automatic, "the full solution earns every autograded point"
    assert scores["bob"][0] == 0, "an unanswered notebook earns nothing"
    assert scores["alice"][1] == everything, "written answers count, to be marked by hand"
