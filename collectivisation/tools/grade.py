"""Grade a class's exercise notebooks with one command and no server: ``python -m collectivisation grade``.

SUBMISSIONS is a folder as a learning platform exports it: nested folders, renamed files
(``smith_j_05_livestock.ipynb``), duplicates, stray files. The student's name is what is left of the file's name
once the notebook's own name and what platforms and browsers add are removed (Moodle's
``Smith_J_12345_assignsubmission_file_``, Canvas's ``smithj_12345_67890_``, Google Classroom's ``Carol Smith - ``,
`` (1)``, `` - Copy``), or else the name of its folder; a roster (``--roster``: pattern, name, id) overrides the guess.
Of two files of one student for one notebook only the newest is graded; the other is listed as a duplicate. A file
may be an exercise (made from solutions/) or a core notebook (notebooks/) with its own questions: the question ids
it holds tell which, and only that file's questions are graded. Each notebook is copied to its own temporary folder (the
teacher's folder is only read), run in a fresh kernel with a time limit, in parallel on every core; then a last cell
asks ``check`` about every question, found by its id (the answer variable), not by the position of its cell, so moved,
split or duplicated cells do not matter. A notebook that cannot be read, hangs or raises still gets a row that says
what happened, and every other one is graded.

Writes OUT/grades.csv (one row per question), OUT/summary.csv (one row per student and notebook, with student_id
and student_name for a gradebook import) and OUT/answers/NN_slug.html (every written answer, side by side, with the
rubric and an example answer per level; NN_slug_notebook.html for a core notebook's).
"""

from __future__ import annotations

import csv
import fnmatch
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
from .paths import NOTEBOOKS, ROOT, SOLUTIONS
from . import homework
from .kernels import notebook_client
from .overview import write_overview

TIME_LIMIT_SECONDS = 120
#: Where a question is asked, as the answer key's ``source`` says: an exercise (made from solutions/) or a core
#: notebook of the series (notebooks/).
EXERCISE, CORE = SOLUTIONS, NOTEBOOKS
#: The name given when neither the roster, nor the file's name, nor its folders name the student.
UNKNOWN = "unknown"
PROBE = """import json as _json
from collectivisation import check as _check
_report = {}
for _qid, _variable in %s:
    if _variable not in globals():
        _report[_qid] = {"status": "missing", "message": "no answer found (was the answer cell deleted?)"}
        continue
    _value = globals()[_variable]
    if isinstance(_value, str) and not _value.strip():  # a core notebook's answer cell as handed out: cp1 = ""
        _report[_qid] = {"status": "unanswered", "message": "not answered yet", "text": _value}
        continue
    _feedback = _check(_qid, _value, quiet=True)
    _report[_qid] = {"status": _feedback.status, "message": _feedback.message,
                     "text": _value if isinstance(_value, str) else None}
print("<<GRADES>>" + _json.dumps(_report))"""


@dataclass
class Submission:
    """One notebook file found in the teacher's folder, and what grading made of it."""

    path: Path
    student: str                  # the student's name: from the roster, else guessed from the file's name and folder
    notebook: str | None          # the series' name for it, e.g. "05_livestock", or None if not recognised
    source: str = EXERCISE        # which questions it holds: an exercise's (solutions/) or a core notebook's
    student_id: str = ""          # from the roster; empty without one
    status: str = "graded"
    remarks: list[str] = field(default_factory=list)   # what the teacher should know besides the status
    results: dict = field(default_factory=dict)
    ran: nbformat.NotebookNode | None = None  # the notebook as it ran, with what each cell printed

    @property
    def part(self) -> str:
        return "exercise" if self.source == EXERCISE else "notebook"


def slugs() -> list[str]:
    """Every notebook a student may hand in: the exercises, and the core notebooks (which may hold checkpoints)."""
    return sorted({page.path.stem for folder in (SOLUTIONS, NOTEBOOKS) for page in series(ROOT / folder)})


def source_of(spec: dict) -> str:
    """Where a question is asked: ``solutions`` (an exercise) or ``notebooks`` (a core notebook). Key entries
    written before core notebooks had questions carry no source: they are all exercise questions."""
    return spec.get("source", EXERCISE)


def questions_of(notebook: str, source: str = EXERCISE) -> list[tuple[str, str]]:
    """(question id, answer variable) for every question of a notebook, in order."""
    prefix = f"nb{notebook[:2]}_"
    return [(qid, spec["variable"]) for qid, spec in answer_key().items()
            if qid.startswith(prefix) and source_of(spec) == source]


# --- Which notebook a file is ------------------------------------------------------------------------------------

def _slug_pattern(slug: str) -> str:
    """``01_reading_the_essay`` as a platform may spell it: any case, spaces or dashes for the underscores, and
    Canvas's "-1" for a second upload."""
    return r"[\s_-]*".join(map(re.escape, slug.split("_"))) + r"(?:-\d+)?"


def question_ids_in(path: Path) -> list[str]:
    """The answer key's question ids that a file mentions (in ``check`` calls and nbgrader metadata), in order."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    key = answer_key()
    return [qid for qid in re.findall(r"nb\d\d_[A-Za-z0-9]+", text) if qid in key]


def identify(path: Path, root: Path, known: list[str]) -> Submission:
    """Which notebook a file is (from its name or, if renamed, its question ids), whether it is the exercise or
    the core notebook of that name (from the ids it holds), and whose it is (from its name and folders)."""
    ids = question_ids_in(path)
    notebook = next((slug for slug in known if re.search(_slug_pattern(slug), path.stem, re.I)), None)
    if notebook is None and ids:
        notebook = next((slug for slug in known if slug.startswith(ids[0][2:4])), None)
    relative = path.relative_to(root)
    return Submission(path, student_name(relative, notebook) or UNKNOWN, notebook, source=_source_from(ids, notebook))


def _source_from(ids: list[str], notebook: str | None) -> str:
    """The core notebook if the file holds more of its question ids than of the exercise's (or the notebook has no
    exercise at all); else the exercise."""
    if notebook is None:
        return EXERCISE
    key = answer_key()
    sources = [source_of(key[qid]) for qid in ids if qid.startswith(f"nb{notebook[:2]}_")]
    if sources.count(CORE) > sources.count(EXERCISE) or (not ids and not (ROOT / SOLUTIONS / f"{notebook}.ipynb").exists()):
        return CORE
    return EXERCISE


# --- Whose it is -------------------------------------------------------------------------------------------------

#: What platforms and browsers add to a file's name around the student's: the first that match are removed.
_NOISE = [
    r"\(\d+\)",                          # a second download: "essay (1)"
    r"\bcopy of\b|-\s*copy\b",            # "Copy of essay", "essay - Copy"
    r"_\d+_assignsubmission_[a-z]+_?",     # Moodle: "Smith_J_12345_assignsubmission_file_"
    r"_late(?=_\d)",                       # Canvas marks late work: "smithj_LATE_12345_67890_"
    r"(?:^|(?<=[\s_-]))\d{3,}(?=[\s_-]|$)",  # Canvas's and others' user and submission numbers
]
_SEPARATORS = " _-.\t"


def clean_name(text: str, notebook: str | None) -> str:
    """``text`` without the notebook's own name and what platforms add: what is left is the student's name."""
    if notebook:
        text = re.sub(_slug_pattern(notebook), " ", text, flags=re.I)
    for noise in _NOISE:
        text = re.sub(noise, " ", text, flags=re.I)
    text = re.sub(r"\s+", " ", text)
    return re.sub(r"\s*-(\s*-)+\s*", " - ", text).strip(_SEPARATORS)


def student_name(relative: Path, notebook: str | None) -> str:
    """The student's name as the file's name gives it (``Carol Smith - 01_reading_the_essay (1).ipynb``), or else
    its nearest folder that names someone (``jones_k/01_reading_the_essay.ipynb``); "" if nothing does."""
    for part in [relative.stem, *reversed(relative.parent.parts)]:
        name = clean_name(part, notebook)
        if name:
            return name
    return ""


def _same_person(name: str) -> str:
    """A name reduced so that "Smith_J", "smith j" and "SMITH-J" are one student."""
    return re.sub(r"[\s_.-]+", " ", name.casefold()).strip()


# --- The roster --------------------------------------------------------------------------------------------------

class RosterError(Exception):
    """The roster cannot be used: the message says why and what it should look like."""


@dataclass(frozen=True)
class Student:
    """One roster row: files whose path contains ``pattern`` (or matches it as a glob) are this student's."""

    pattern: str
    name: str
    id: str = ""

    def matches(self, relative: str) -> bool:
        pattern, relative = self.pattern.casefold(), relative.casefold()
        if any(char in pattern for char in "*?["):
            return fnmatch.fnmatchcase(relative, pattern) or fnmatch.fnmatchcase(relative.rsplit("/", 1)[-1], pattern)
        return pattern in relative


def read_roster(path: Path) -> list[Student]:
    """The roster CSV (columns pattern, name and, optionally, id), as a spreadsheet saves it."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            rows, columns = list(reader), {column.strip().casefold() for column in reader.fieldnames or []}
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise RosterError(f"The roster {path} could not be read ({error}). Save it as CSV (UTF-8).") from None
    if not {"pattern", "name"} <= columns:
        raise RosterError(f"The roster {path} needs a header line with the columns pattern, name and id, e.g.\n"
                          "pattern,name,id\nsmith_j,Jane Smith,12345")
    students = []
    for number, row in enumerate(rows, start=2):
        row = {key.strip().casefold(): (value or "").strip() for key, value in row.items()
               if key is not None and not isinstance(value, list)}
        if not any(row.values()):
            continue
        if not row.get("pattern") or not row.get("name"):
            raise RosterError(f"Line {number} of the roster {path} needs both a pattern and a name.")
        students.append(Student(row["pattern"], row["name"], row.get("id", "")))
    return students


def apply_roster(submission: Submission, roster: list[Student], root: Path) -> None:
    """Name the file's student from the roster. A file that no row (or more than one equally specific row) matches
    keeps the name guessed from its file name, and says so."""
    relative = submission.path.relative_to(root).as_posix()
    found = [student for student in roster if student.matches(relative)]
    longest = max((len(student.pattern) for student in found), default=0)
    best = [student for student in found if len(student.pattern) == longest]
    if len(best) == 1:
        submission.student, submission.student_id = best[0].name, best[0].id
    elif best:
        submission.remarks.append("matches several roster rows (" + ", ".join(s.name for s in best) + ")")
    else:
        submission.remarks.append("not on the roster")


# --- Duplicates --------------------------------------------------------------------------------------------------

def set_aside_duplicates(submissions: list[Submission], root: Path) -> None:
    """When a student handed in one notebook more than once, grade only the newest file (by modification time;
    on a tie, the name that sorts last) and mark the others, so marks are never summed or silently dropped."""
    groups: dict[tuple, list[Submission]] = {}
    for s in submissions:
        if s.notebook and (s.student_id or s.student != UNKNOWN):
            who = s.student_id or _same_person(s.student)
            groups.setdefault((who, s.notebook, s.source), []).append(s)
    for group in groups.values():
        group.sort(key=lambda s: (s.path.stat().st_mtime, s.path.relative_to(root).as_posix()))
        newest = group[-1]
        for older in group[:-1]:
            older.status = f"duplicate, not graded: {newest.path.relative_to(root).as_posix()} is newer and was graded"


def grade_one(submission: Submission, limit: float) -> Submission:
    """Run a copy of the notebook in its own folder, then ask ``check`` about every question."""
    if submission.notebook is None:
        submission.status = "not one of the series' exercises"
        return submission
    if submission.status != "graded":  # set aside before grading (a duplicate)
        return submission
    if not questions_of(submission.notebook, submission.source):
        submission.status = "nothing to grade: this notebook asks no questions"
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
        errors, timed_out = 0, False
        try:
            with client.setup_kernel():
                deadline = time.monotonic() + limit  # the cells' time: a slow kernel start is not the student's
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
                submission.results = _probe(client, notebook, questions_of(submission.notebook, submission.source))
                submission.ran = notebook
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


def _probe(client: NotebookClient, notebook, questions: list[tuple[str, str]]) -> dict:
    """Ask ``check`` about every question in the kernel that ran the notebook; the notebook is left as it ran."""
    cell = nbformat.v4.new_code_cell(PROBE % json.dumps(questions))
    notebook.cells.append(cell)
    client.timeout = 60
    try:
        client.execute_cell(cell, len(notebook.cells) - 1)
    finally:
        notebook.cells.pop()
    printed = "".join(output.get("text", "") for output in cell.outputs if output.output_type == "stream")
    marker = printed.rfind("<<GRADES>>")
    return json.loads(printed[marker + len("<<GRADES>>"):]) if marker >= 0 else {}


def find_submissions(folder: Path, roster: list[Student] | None = None) -> tuple[list[Submission], list[Path]]:
    """Every notebook under ``folder`` (nested folders too), named by the roster if there is one and with
    duplicates set aside; and the other files, which are reported but skipped."""
    known = slugs()
    notebooks, strays = [], []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if ".ipynb_checkpoints" in path.parts:
            continue
        (notebooks if path.suffix == ".ipynb" else strays).append(path)
    submissions = [identify(path, folder, known) for path in notebooks]
    for submission in submissions if roster else []:
        apply_roster(submission, roster, folder)
    set_aside_duplicates(submissions, folder)
    return submissions, strays


def grade(folder: Path, out: Path, limit: float = TIME_LIMIT_SECONDS, workers: int | None = None,
          progress=sys.stderr, roster: list[Student] | None = None) -> list[Submission]:
    submissions, strays = find_submissions(folder, roster)
    workers = workers or os.cpu_count() or 1
    done = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(_grade_safely, submission, limit) for submission in submissions]
        for future in as_completed(futures):
            done.append(future.result())
            _progress(progress, len(done), len(submissions))
    done.sort(key=lambda s: (s.student.casefold(), s.notebook or "", s.source, str(s.path)))
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


def _counts(submission: Submission) -> bool:
    """Whether a file's questions go into the marks: every file but a duplicate that was set aside."""
    return not submission.status.startswith("duplicate")


def write_reports(submissions: list[Submission], strays: list[Path], folder: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    key = answer_key()
    rows = []
    for s in filter(_counts, submissions):
        for qid, _ in questions_of(s.notebook, s.source) if s.notebook else []:
            spec, result = key[qid], s.results.get(qid, {"status": "not graded"})
            written = spec["kind"] == "written"
            rows.append({"student_id": s.student_id, "student_name": s.student, "notebook": s.notebook,
                         "part": s.part, "question": qid,
                         "points": "" if written else (spec["points"] if result["status"] == "correct" else 0),
                         "max_points": spec["points"],
                         "status": "to mark by hand" if written and result["status"] == "saved" else result["status"],
                         "file": s.path.relative_to(folder).as_posix()})
    _write_csv(out / "grades.csv", rows, ["student_id", "student_name", "notebook", "part", "question", "points",
                                          "max_points", "status", "file"])
    summary = []
    for s in submissions:
        mine = [r for r in rows if r["file"] == s.path.relative_to(folder).as_posix()]
        summary.append({"student_id": s.student_id, "student_name": s.student, "notebook": s.notebook or "",
                        "part": s.part if s.notebook else "",
                        "auto_points": sum(r["points"] for r in mine if r["points"] != "") if _counts(s) else "",
                        "auto_max": sum(r["max_points"] for r in mine if r["points"] != "") if _counts(s) else "",
                        "to_mark_by_hand": sum(1 for r in mine if r["points"] == "") if _counts(s) else "",
                        "status": "; ".join([s.status, *s.remarks]), "file": s.path.relative_to(folder).as_posix()})
    summary += [{"status": "skipped: not a notebook", "file": p.relative_to(folder).as_posix()} for p in strays]
    _write_csv(out / "summary.csv", summary, ["student_id", "student_name", "notebook", "part", "auto_points",
                                              "auto_max", "to_mark_by_hand", "status", "file"])
    _write_answer_pages([s for s in submissions if _counts(s)], out / "answers", key)
    write_overview(out)


def _write_csv(path: Path, rows: list[dict], columns: list[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns, restval="", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _write_answer_pages(submissions: list[Submission], folder: Path, key: dict) -> None:
    """One page per notebook (NN_slug.html for an exercise, NN_slug_notebook.html for a core notebook): each written
    question with its rubric and an example answer per level (folded, so they do not crowd the marking), then every
    student's answer."""
    folder.mkdir(parents=True, exist_ok=True)
    for notebook, source in sorted({(s.notebook, s.source) for s in submissions if s.notebook}):
        title = notebook if source == EXERCISE else f"{notebook} (notebook)"
        parts = [f"<h1>Written answers: {html.escape(title)}</h1>"]
        for qid, _ in questions_of(notebook, source):
            spec = key[qid]
            if spec["kind"] != "written":
                continue
            rubric = "".join(f"<li><b>{html.escape(level)}</b>: {html.escape(text)}</li>"
                             for level, text in homework.levels_by_points(spec["rubric"]))
            parts.append(f"<h2>{qid} ({spec['points']} points)</h2><p>{html.escape(spec['hint'])}</p><ul>{rubric}</ul>")
            examples = "".join(f"<li><b>{html.escape(level)}</b>: {html.escape(text)}</li>"
                               for level, text in homework.levels_by_points(spec.get("examples", {})))
            if examples:
                parts.append(f"<details><summary>An example answer for each level</summary><ul>{examples}</ul>"
                             "</details>")
            parts.append("<table><tr><th>Student</th><th>Answer</th><th>Mark</th></tr>")
            for s in submissions:
                if (s.notebook, s.source) == (notebook, source):
                    text = s.results.get(qid, {}).get("text") or ""  # shown as written; a blank one by its status
                    text = text if text.strip() else f"({s.results.get(qid, {}).get('status', s.status)})"
                    parts.append(f"<tr><td>{html.escape(s.student)}</td><td>{html.escape(text)}</td><td></td></tr>")
            parts.append("</table>")
        style = ("body{font-family:sans-serif;max-width:70em;margin:auto}table{border-collapse:collapse;width:100%}"
                 "td,th{border:1px solid #999;padding:.4em;vertical-align:top;text-align:left}td:last-child{width:5em}")
        page = f"{notebook}.html" if source == EXERCISE else f"{notebook}_notebook.html"
        (folder / page).write_text(
            f"<!doctype html><html lang='en'><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{style}</style>{''.join(parts)}</html>\n", encoding="utf-8")


def print_summary(submissions: list[Submission], out: Path, stream=sys.stdout) -> None:
    graded = [s for s in submissions if s.status.startswith("graded")]
    duplicates = [s for s in submissions if not _counts(s)]
    failed = [s for s in submissions if _counts(s) and not s.status.startswith("graded")]
    stream.write(f"Graded {len(graded)} of {len(submissions)} notebooks.\n")
    for s in failed:
        stream.write(f"  not graded: {s.path.name} ({s.student}): {s.status}\n")
    for s in duplicates:
        stream.write(f"  {s.path.name} ({s.student}): {s.status}\n")
    for s in graded:
        if s.status != "graded":
            stream.write(f"  note: {s.path.name} ({s.student}): {s.status[len('graded '):].strip('()')}\n")
    for s in submissions:
        for remark in s.remarks:
            stream.write(f"  {remark}: {s.path.name} (named {s.student} from its file name)\n")
    stream.write(f"Marks: {out / 'grades.csv'} (per question), {out / 'summary.csv'} (per student and notebook)\n")
    stream.write(f"Written answers side by side: {out / 'answers'}\n")
    stream.write(f"The class at a glance (open in a browser): {out / 'overview.html'}\n")
