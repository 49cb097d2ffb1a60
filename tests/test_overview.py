"""The teacher's class overview page: the right figures, and it draws in a real browser (headless Chromium)."""

import csv

import pytest

from collectivisation.tools.overview import write_overview

from browser import CHROMIUM, Browser


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
    browser = Browser(tmp_path / "profile")
    try:
        bars, errors = browser.visit(page.as_uri(), "document.querySelectorAll('[class^=\"bar\"]').length")
    finally:
        browser.close()
    assert bars == 2 + 10
    assert not errors, errors
