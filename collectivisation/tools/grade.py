"""Grade a class's exercise notebooks with one command and no server: ``python -m collectivisation grade``.

SUBMISSIONS is a folder as a learning platform exports it: nested folders, renamed files
(``smith_j_05_livestock.ipynb``), duplicates, stray files. Each notebook is copied to its own temporary folder (the
teacher's folder is only read), run in a fresh kernel with a time limit, in parallel on every core; then a last cell
asks ``check`` about every question, found by its id (the answer variable), not by the position of its cell, so moved,
split or duplicated cells do not matter. A notebook that cannot be read, hangs or raises still gets a row that says
what happened, and every other one is graded.

Writes OUT/grades.csv (one row per question), OUT/summary.csv (one row per student and notebook) and
OUT/answers/NN_slug.html (every written answer, side by side, with the rubric).
"""

from __future__ import annotations

import csv
import html
import json
import os
import re
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from ..answers import answer_key
from .build import series
from .paths import ROOT, SOLUTIONS
from .kernels import notebook_client

TIME_LIMIT_SECONDS = 120
PROBE = """import json as _json
from collectivisation import check as _check
_report = {}
for _qid, _variable in %s:
    if _variable not in globals():
        _report[_qid] = {"status": "missing", "message": "no answer found (was the answer cell deleted?)"}
        continue
    _feedback = _check(_qid, globals()[_variable], quiet=True)
    _value = globals()[_variable]
    _report[_qid] = {"status": _feedback.status, "message": _feedback.message,
                     "text": _value if isinstance(_value, str) else None}
print("<<GRADES>>" + _json.dumps(_report))"""


@dataclass
class Submission:
    """One notebook file found in the teacher's folder, and what grading made of it."""

    path: Path
    student: str
    notebook: str | None          # the series' name for it, e.g. "05_livestock", or None if not recognised
    status: str = "graded"
    results: dict = field(default_factory=dict)


def slugs() -> list[str]:
    return [page.path.stem for page in series(ROOT / SOLUTIONS)]


def identify(path: Path, root: Path, known: list[str]) -> Submission:
    """Which student and which notebook a file is, from its name, its folder, or (if renamed) its question ids."""
    stem = path.stem
    notebook = next((slug for slug in known if slug in stem), None)
    if notebook is None:
        try:
            ids = re.findall(r'"grade_id": "nb(\d\d)_q', path.read_text(encoding="utf-8", errors="replace"))
            notebook = next((slug for slug in known if ids and slug.startswith(ids[0])), None)
        except OSError:
            notebook = None
    student = stem.replace(notebook, "") if notebook else stem
    student = student.strip(" _-.") or (path.parent.name if path.parent != root else "unknown")
    return Submission(path, student, notebook)


def questions_of(notebook: str) -> list[tuple[str, str]]:
    """(question id, answer variable) for every question of a notebook, in order."""
    prefix = f"nb{notebook[:2]}_"
    return [(qid, spec["variable"]) for qid, spec in answer_key().items() if qid.startswith(prefix)]


def grade_one(submission: Submission, limit: float) -> Submission:
    """Run a copy of the notebook in its own folder, then ask ``check`` about every question."""
    if submission.notebook is None:
        submission.status = "not one of the series' exercises"
        return submission
    try:
        notebook = nbformat.read(submission.path, as_version=4)
    except Exception as error:  # invalid JSON, not a notebook, unreadable: all reported, none fatal
        submission.status = f"unreadable: {type(error).__name__}"
        return submission
    with tempfile.TemporaryDirectory() as folder:
        shutil.copy(submission.path, Path(folder) / "submission.ipynb")
        client = notebook_client(notebook, folder, timeout=max(1, int(limit)), allow_errors=True,
                                 interrupt_on_timeout=True, record_timing=False)
        deadline = time.monotonic() + limit
        errors, timed_out = 0, False
        try:
            with client.setup_kernel():
                for index, cell in enumerate(notebook.cells):
                    if cell.cell_type != "code":
                        continue
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        timed_out = True
                        break
                    client.timeout = max(1, int(remaining))
                    client.execute_cell(cell, index)
                    errors += any(output.output_type == "error" for output in cell.outputs)
                    timed_out |= any(o.get("ename") == "KeyboardInterrupt" for o in cell.outputs)
                    if timed_out:
                        break
                submission.results = _probe(client, notebook, submission.notebook)
        except (CellTimeoutError, DeadKernelError, RuntimeError, TimeoutError) as error:
            submission.status = f"stopped: {type(error).__name__}"
            return submission
    notes = []
    if timed_out:
        notes.append(f"time limit of {limit:g} s reached; answers given before it were graded")
    if errors:
        notes.append(f"{errors} cell(s) raised an error")
    submission.status = "graded" + (f" ({'; '.join(notes)})" if notes else "")
    return submission


def _grade_safely(submission: Submission, limit: float) -> Submission:
    """Whatever goes wrong with one notebook is reported in its row; the other notebooks are still graded."""
    try:
        return grade_one(submission, limit)
    except Exception as error:
        submission.status = f"could not be graded: {type(error).__name__}: {error}"[:200]
        return submission


def _probe(client: NotebookClient, notebook, name: str) -> dict:
    cell = nbformat.v4.new_code_cell(PROBE % json.dumps(questions_of(name)))
    notebook.cells.append(cell)
    client.timeout = 60
    client.execute_cell(cell, len(notebook.cells) - 1)
    printed = "".join(output.get("text", "") for output in cell.outputs if output.output_type == "stream")
    marker = printed.rfind("<<GRADES>>")
    return json.loads(printed[marker + len("<<GRADES>>"):]) if marker >= 0 else {}


def find_submissions(folder: Path) -> tuple[list[Submission], list[Path]]:
    """Every notebook under ``folder`` (nested folders too), and the other files, which are reported but skipped."""
    known = slugs()
    notebooks, strays = [], []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if ".ipynb_checkpoints" in path.parts:
            continue
        (notebooks if path.suffix == ".ipynb" else strays).append(path)
    return [identify(path, folder, known) for path in notebooks], strays


def grade(folder: Path, out: Path, limit: float = TIME_LIMIT_SECONDS, workers: int | None = None,
          progress=sys.stderr) -> list[Submission]:
    submissions, strays = find_submissions(folder)
    workers = workers or os.cpu_count() or 1
    done = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(_grade_safely, submission, limit) for submission in submissions]
        for future in as_completed(futures):
            done.append(future.result())
            _progress(progress, len(done), len(submissions))
    done.sort(key=lambda s: (s.student, s.notebook or "", str(s.path)))
    write_reports(done, strays, folder, out)
    return done


def _progress(stream, count: int, total: int) -> None:
    if stream is None:
        return
    width = 30
    filled = int(width * count / total) if total else width
    stream.write(f"\rGrading [{'#' * filled}{'.' * (width - filled)}] {count}/{total}")
    if count == total:
        stream.write("\n")
    stream.flush()


def write_reports(submissions: list[Submission], strays: list[Path], folder: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    key = answer_key()
    rows = []
    for s in submissions:
        for qid, _ in questions_of(s.notebook) if s.notebook else []:
            spec, result = key[qid], s.results.get(qid, {"status": "not graded"})
            written = spec["kind"] == "written"
            rows.append({"student": s.student, "notebook": s.notebook, "question": qid,
                         "points": "" if written else (spec["points"] if result["status"] == "correct" else 0),
                         "max_points": spec["points"],
                         "status": "to mark by hand" if written and result["status"] == "saved" else result["status"],
                         "file": str(s.path.relative_to(folder))})
    _write_csv(out / "grades.csv", rows, ["student", "notebook", "question", "points", "max_points", "status", "file"])
    summary = []
    for s in submissions:
        mine = [r for r in rows if r["file"] == str(s.path.relative_to(folder))]
        summary.append({"student": s.student, "notebook": s.notebook or "",
                        "auto_points": sum(r["points"] for r in mine if r["points"] != ""),
                        "auto_max": sum(r["max_points"] for r in mine if r["points"] != ""),
                        "to_mark_by_hand": sum(1 for r in mine if r["points"] == ""),
                        "status": s.status, "file": str(s.path.relative_to(folder))})
    summary += [{"student": "", "notebook": "", "auto_points": "", "auto_max": "", "to_mark_by_hand": "",
                 "status": "skipped: not a notebook", "file": str(p.relative_to(folder))} for p in strays]
    _write_csv(out / "summary.csv", summary,
               ["student", "notebook", "auto_points", "auto_max", "to_mark_by_hand", "status", "file"])
    _write_answer_pages(submissions, out / "answers", key)


def _write_csv(path: Path, rows: list[dict], columns: list[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _write_answer_pages(submissions: list[Submission], folder: Path, key: dict) -> None:
    """One page per notebook: each written question with its rubric, then every student's answer."""
    folder.mkdir(parents=True, exist_ok=True)
    for notebook in sorted({s.notebook for s in submissions if s.notebook}):
        parts = [f"<h1>Written answers: {html.escape(notebook)}</h1>"]
        for qid, _ in questions_of(notebook):
            spec = key[qid]
            if spec["kind"] != "written":
                continue
            rubric = "".join(f"<li><b>{html.escape(level)}</b>: {html.escape(text)}</li>"
                             for level, text in spec["rubric"].items())
            parts.append(f"<h2>{qid} ({spec['points']} points)</h2><p>{html.escape(spec['hint'])}</p><ul>{rubric}</ul>")
            parts.append("<table><tr><th>Student</th><th>Answer</th><th>Mark</th></tr>")
            for s in submissions:
                if s.notebook == notebook:
                    text = s.results.get(qid, {}).get("text") or f"({s.results.get(qid, {}).get('status', s.status)})"
                    parts.append(f"<tr><td>{html.escape(s.student)}</td><td>{html.escape(text)}</td><td></td></tr>")
            parts.append("</table>")
        style = ("body{font-family:sans-serif;max-width:70em;margin:auto}table{border-collapse:collapse;width:100%}"
                 "td,th{border:1px solid #999;padding:.4em;vertical-align:top;text-align:left}td:last-child{width:5em}")
        (folder / f"{notebook}.html").write_text(
            f"<!doctype html><html lang='en'><meta charset='utf-8'><title>{html.escape(notebook)}</title>"
            f"<style>{style}</style>{''.join(parts)}</html>\n", encoding="utf-8")


def print_summary(submissions: list[Submission], out: Path, stream=sys.stdout) -> None:
    graded = [s for s in submissions if s.status.startswith("graded")]
    failed = [s for s in submissions if not s.status.startswith("graded")]
    stream.write(f"Graded {len(graded)} of {len(submissions)} notebooks.\n")
    for s in failed:
        stream.write(f"  not graded: {s.path.name} ({s.student}): {s.status}\n")
    for s in graded:
        if s.status != "graded":
            stream.write(f"  note: {s.path.name} ({s.student}): {s.status[len('graded '):].strip('()')}\n")
    stream.write(f"Marks: {out / 'grades.csv'} (per question), {out / 'summary.csv'} (per student and notebook)\n")
    stream.write(f"Written answers side by side: {out / 'answers'}\n")
