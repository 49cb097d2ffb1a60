"""The teacher's class overview page: the right figures, and it draws in a real browser (headless Chromium)."""

import csv
import re
import shutil
import subprocess

import pytest

from collectivisation.tools.overview import write_overview

CHROMIUM = shutil.which("chromium")


def _write(path, rows):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def marks(tmp_path):
    grades = []
    for number, student in enumerate(["Ann", "Ben", "Cat", "Dan"]):
        grades += [{"student_name": student, "notebook": "02_pace", "question": "nb02_q1", "points": 2, "max_points": 2,
                    "status": "correct"},
                   {"student_name": student, "notebook": "02_pace", "question": "nb02_q2",
                    "points": 1 if number == 0 else 0, "max_points": 1, "status": "incorrect"},
                   {"student_name": student, "notebook": "02_pace", "question": "nb02_q7", "points": "", "max_points": 3,
                    "status": "to mark by hand"}]
    _write(tmp_path / "grades.csv", grades)
    _write(tmp_path / "summary.csv", [{"student_name": s, "notebook": "02_pace", "auto_points": p, "auto_max": 3}
                                      for s, p in [("Ann", 3), ("Ben", 2), ("Cat", 2), ("Dan", 2)]])
    (tmp_path / "answers").mkdir()
    (tmp_path / "answers" / "02_pace.html").write_text("<p>answers</p>")
    return tmp_path


def test_the_overview_puts_the_hardest_question_first_and_links_the_written_answers(marks):
    page = write_overview(marks).read_text()
    assert page.index("nb02_q2") < page.index("nb02_q1"), "hardest first"
    assert "1 of 4 right" in page and "4 of 4 right" in page
    assert 'href="answers/02_pace.html"' in page and "(4 to mark)" in page
    assert "3 students" in page.split("60-69 %")[1][:200], "three students scored 2 of 3 (67 %)"


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_the_overview_draws_in_a_browser_with_no_error(marks, tmp_path):
    page = write_overview(marks)
    result = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                             f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
                             "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert len(re.findall(r'class="bar', result.stdout)) == 2 + 10
    assert not [line for line in result.stderr.splitlines() if "CONSOLE" in line]
