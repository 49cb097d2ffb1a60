"""The notebook-by-notebook part of TEACHING.md, written from the notebooks and solutions themselves.

Objectives, the claims each notebook examines, the exercise questions and the rubrics of written answers all live in
the notebooks; this module copies them into the teacher's guide between two sentinel lines, so the guide can never
disagree with what students see. The rest of TEACHING.md is written by hand.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from .homework import questions

START = "<!-- notebook guide: written by `python -m collectivisation build` from the notebooks; edit them, not this -->"
END = "<!-- end of notebook guide -->"
KINDS = {"number": "compute a number", "text": "name a value", "choice": "choose an option",
         "frame": "filter/group a table", "figure": "make a chart", "written": "written answer (marked by hand)"}


def _blockquote(notebook) -> str:
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("> **Questions"):
            return cell.source
    return ""


def _section(text: str, heading: str) -> list[str]:
    """The bullet lines under **heading** in a Carpentries-style blockquote."""
    match = re.search(rf"\*\*{heading}\*\*\s*\n((?:>\s*-.*\n?)+)", text)
    return [line.lstrip("> ").strip() for line in match.group(1).splitlines()] if match else []


def notebook_guide(pages: list, solutions_dir: Path) -> str:
    lines = [START, ""]
    for number, page in enumerate(pages):
        notebook = nbformat.read(page.path, as_version=4)
        quote = _blockquote(notebook)
        lines += [f"### {page.path.stem[:2]}. {page.title}", "",
                  f"Notebook: [`notebooks/{page.name}`](notebooks/{page.name})"
                  + (f" · prior knowledge: notebooks 00–{number - 1:02d}" if number > 1 else ""), ""]
        objectives = _section(quote, "Objectives")
        if objectives:
            lines += ["Objectives:", "", *objectives, ""]
        claims = re.search(r"\*\*Claims examined:?\*\*:?\s*(.*)", quote)
        if claims:
            lines += [f"Essay claims examined: {claims.group(1).strip()} (see `data/claims.csv`).", ""]
        solution = solutions_dir / page.name
        if solution.exists():
            asked = questions(nbformat.read(solution, as_version=4))
            total = sum(q["points"] for q in asked)
            lines += [f"Exercise: [`exercises/{page.name}`](exercises/{page.name}), worked answers in "
                      f"[`solutions/{page.name}`](solutions/{page.name}): {len(asked)} questions, {total} points.", "",
                      "| question | kind | points |", "|---|---|---|"]
            lines += [f"| `{q['id']}` | {KINDS[q['kind']]} | {q['points']} |" for q in asked]
            lines.append("")
            for q in asked:
                if q["kind"] == "written":
                    lines += [f"Rubric for `{q['id']}`:", ""]
                    lines += [f"- **{level}**: {text}" for level, text in q["rubric"].items()]
                    lines.append("")
    lines.append(END)
    return "\n".join(lines)
