"""The teacher's class overview: ``marks/overview.html``, written by ``grade`` beside grades.csv.

One page a teacher reads at a glance, offline, with no server and no script: for each notebook, how many students
got each question right (hardest first), how the class's totals spread, and links to the written answers side by
side. Bars are plain HTML, so the page opens the same in any browser, from a USB stick or an email attachment.
"""

from __future__ import annotations

import csv
import html
from pathlib import Path

HARDEST = 3  # questions flagged as the class's hardest, per notebook
_STYLE = """body{font-family:system-ui,sans-serif;max-width:62em;margin:1.5em auto;padding:0 1em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}
.row{display:flex;align-items:center;margin:.2em 0;font-size:.9em}.label{width:11em;flex:none}
.track{flex:1;background:#eee;height:1.1em;position:relative}.bar{height:100%;background:#0072B2}
.bar.hard{background:#D55E00}.value{width:9em;flex:none;text-align:right;padding-left:.5em}
.note{color:#555;font-size:.9em}"""


def _read(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _bar(label: str, share: float, value: str, hard: bool = False) -> str:
    return (f'<div class="row"><span class="label">{html.escape(label)}</span><span class="track">'
            f'<span class="bar{" hard" if hard else ""}" style="width:{share * 100:.0f}%;display:block"></span></span>'
            f'<span class="value">{html.escape(value)}</span></div>')


def _questions(rows: list[dict]) -> list[str]:
    """Automatically marked questions, hardest first, with the share of students who got each right."""
    rates = {}
    for row in rows:
        if row.get("points", "") == "":
            continue
        right, asked = rates.get(row["question"], (0, 0))
        rates[row["question"]] = (right + (float(row["points"]) >= float(row["max_points"])), asked + 1)
    ordered = sorted(rates.items(), key=lambda item: (item[1][0] / item[1][1], item[0]))
    return [_bar(question, right / asked, f"{right} of {asked} right",
                 hard=number < HARDEST and right < asked)
            for number, (question, (right, asked)) in enumerate(ordered)]


def _spread(summary: list[dict]) -> list[str]:
    """How many students scored 0-9 %, 10-19 %, … of the automatic points."""
    shares = [float(row["auto_points"]) / float(row["auto_max"]) for row in summary
              if row.get("auto_max") not in ("", "0", None)]
    if not shares:
        return ['<p class="note">No automatically marked answers yet.</p>']
    counts = [0] * 10
    for share in shares:
        counts[min(int(share * 10), 9)] += 1
    most = max(counts)
    return [_bar(f"{band * 10}-{band * 10 + 9} %" if band < 9 else "90-100 %", count / most,
                 f"{count} student{'s' * (count != 1)}") for band, count in enumerate(counts)]


def write_overview(out: Path) -> Path:
    """Write ``out/overview.html`` from the grades.csv and summary.csv that grading wrote into ``out``."""
    grades, summary = _read(out / "grades.csv"), _read(out / "summary.csv")
    notebooks = sorted({row["notebook"] for row in grades if row.get("notebook")})
    students = len({row.get("student_id") or row.get("student_name") for row in summary if row.get("student_name")})
    parts = [f"<h1>Class overview</h1><p class='note'>{students} students, {len(notebooks)} "
             f"notebook{'s' * (len(notebooks) != 1)}. Red bars: the questions the class found hardest in each "
             f"notebook (at most {HARDEST}, and only those some students missed). Written answers are marked by hand: "
             "their pages show every student's answer side by side.</p>"]
    for notebook in notebooks:
        mine = [row for row in grades if row["notebook"] == notebook]
        waiting = sum(1 for row in mine if row.get("status") == "to mark by hand")
        answers = out / "answers" / f"{notebook}.html"
        link = (f' <a href="answers/{html.escape(notebook)}.html">Written answers side by side</a> ({waiting} to mark).'
                if answers.exists() else "")
        parts += [f"<h2>{html.escape(notebook)}</h2><p class='note'>Share of students right, per question, hardest "
                  f"first.{link}</p>", *_questions(mine),
                  "<p class='note'>Spread of the students' automatic marks:</p>",
                  *_spread([row for row in summary if row.get("notebook") == notebook])]
    page = out / "overview.html"
    page.write_text(f"<!doctype html><html lang='en'><meta charset='utf-8'><title>Class overview</title>"
                    f"<style>{_STYLE}</style><body>{''.join(parts)}</body></html>\n", encoding="utf-8")
    return page
