"""The notebook-by-notebook part of TEACHING.md, written from the notebooks and solutions themselves.

Objectives, the claims each notebook examines, the exercise questions, and the rubrics and example answers (one per
level) of the written questions of notebooks and exercises all live in the notebooks; this module copies them into
the teacher's guide between two sentinel lines, so the guide can never disagree with what students see. The rest of
TEACHING.md is written by hand.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from .homework import levels_by_points, questions
from .load import WORDS_PER_MINUTE, lesson_load
from .paths import EXTENSIONS

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


def _timing(path: Path, notebook) -> list[str]:
    """The notebook's estimated class time, by the rule of tools/load.py (the figures `bench --load` prints)."""
    figures = lesson_load(path, notebook)
    return [f"Estimated time: **{figures['minutes']:g} min** ({figures['words']} words at {WORDS_PER_MINUTE} a "
            f"minute, {figures['code_cells']} code cells, {figures['tables']} tables, {figures['charts']} charts, "
            f"{figures['questions']} questions)."]


def _marking(question: dict) -> list[str]:
    """A written question's rubric and its example answers, one per level, from the most points to the least (the
    top one is the indicative answer): the same for an exercise's question and a notebook's."""
    lines = [f"Rubric for `{question['id']}`:", ""]
    lines += [f"- **{level}**: {text}" for level, text in levels_by_points(question["rubric"])]
    lines.append("")
    if question.get("examples"):
        lines += [f"Example answers for `{question['id']}`, one per level:", ""]
        lines += [f"- **{level}**: {text}" for level, text in levels_by_points(question["examples"])]
        lines.append("")
    return lines


def _in_class_questions(notebook) -> list[str]:
    """The checkpoints and verdict questions inside a notebook, with their answers; then the rubric and example
    answers of each written one."""
    lines, written = [], []
    for cell in notebook.cells:
        spec = cell.metadata.get("collectivisation")
        if not spec or "id" not in spec:
            continue
        if not lines:
            lines = ["In-class questions (answered in the notebook itself):", ""]
        if spec["kind"] == "choice":
            wrong = "; ".join(f"{letter}) {text}" for letter, text in spec.get("feedback", {}).items())
            lines.append(f"- `{spec['id']}` (multiple choice): answer **{spec['answer']}**. Wrong answers and the "
                         f"misconception each shows: {wrong}")
        elif spec["kind"] == "written":
            lines.append(f"- `{spec['id']}` (written, {spec.get('points', 0)} points, marked by hand): rubric and "
                         "example answers below")
            written.append(spec)
        else:
            lines.append(f"- `{spec['id']}` ({spec['kind']}): answer {spec.get('answer', spec.get('accept'))}")
    if not lines:
        return []
    return [*lines, "", *(line for spec in written for line in _marking(spec))]


def notebook_guide(pages: list, solutions_dir: Path, built: dict[Path, str] | None = None) -> str:
    """The guide's block of TEACHING.md. ``built`` holds notebooks the build has just made and not yet written: the
    guide counts their tables and charts, not those of the older files on disk."""
    def read(path: Path):
        if built and path in built:
            return nbformat.reads(built[path], as_version=4)
        return nbformat.read(path, as_version=4)

    lines = [START, ""]
    for number, page in enumerate(page for page in pages if not page.name.startswith("99_")):
        notebook = read(page.path)
        quote = _blockquote(notebook)
        lines += [f"### {page.path.stem[:2]}. {page.title}", "",
                  f"Notebook: [`notebooks/{page.name}`](notebooks/{page.name})"
                  + (f" · prior knowledge: notebooks 00–{number - 1:02d}" if number > 1 else ""), ""]
        lines += [*_timing(page.path, notebook), ""]
        extension = page.path.parent.parent / EXTENSIONS / page.name
        if extension.exists():
            lines += [f"Going further: [`extensions/{page.name}`](extensions/{page.name}), " + _timing(extension, read(extension))[0].lower()
                      .replace("estimated time", "estimated"), ""]
        objectives = _section(quote, "Objectives")
        if objectives:
            lines += ["Objectives:", "", *objectives, ""]
        claims = re.search(r"\*\*Claims examined:?\*\*:?\s*(.*)", quote)
        if claims:
            lines += [f"Essay claims examined: {claims.group(1).strip()} (see `data/claims.csv`).", ""]
        lines += _in_class_questions(notebook)
        solution = solutions_dir / page.name
        if solution.exists():
            asked = questions(read(solution))
            total = sum(q["points"] for q in asked)
            lines += [f"Exercise: [`exercises/{page.name}`](exercises/{page.name}), worked answers in "
                      f"[`solutions/{page.name}`](solutions/{page.name}): {len(asked)} questions, {total} points.", "",
                      "| question | kind | points |", "|---|---|---|"]
            lines += [f"| `{q['id']}` | {KINDS[q['kind']]} | {q['points']} |" for q in asked]
            lines.append("")
            for q in asked:
                if q["kind"] == "written":
                    lines += _marking(q)
    lines.append(END)
    return "\n".join(lines)
