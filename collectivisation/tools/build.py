"""Regenerate everything in the series that is made rather than written: navigation, contents, executed outputs.

``python -m collectivisation build`` rewrites the notebooks in place; ``build --check`` does the same in memory and
fails if any file would change, which is how CI proves that what is committed is what the code makes.

Generated cells are found by a sentinel comment in their source, so a rerun updates them instead of adding more
(the approach of the Python Data Science Handbook's tools). Execution runs in a fresh kernel from a temporary
working directory, which also proves that no notebook depends on where it is opened from.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import os
import re
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient.exceptions import CellExecutionError

from . import homework, links, teaching
from .kernels import notebook_client
from .paths import EXERCISES, NOTEBOOKS, PLOTLY_MIME, ROOT, SERIES_DIRS, SOLUTIONS, answer_key_path

NAV_SENTINEL = "<!-- navigation: written by `python -m collectivisation build`; edit there, not here -->"
CONTENTS_SENTINEL = "<!-- contents: written by `python -m collectivisation build`; edit there, not here -->"
LAUNCH_START = ("<!-- launch: written by `python -m collectivisation build` from PUBLISHED_AT in "
                "collectivisation/tools/links.py -->")
LAUNCH_END = "<!-- end of launch -->"
BINDER_BADGE = "https://mybinder.org/badge_logo.svg"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
TIMEOUT_SECONDS = 300
CELL_ID_PREFIX = "cell-"


class BuildError(Exception):
    """A notebook failed to run: the message names it and the error, without the kernel's whole traceback."""


@dataclass(frozen=True)
class Page:
    """One notebook of the series: its file and the title from its first heading."""

    path: Path
    title: str

    @property
    def name(self) -> str:
        return self.path.name


def series(folder: Path) -> list[Page]:
    """The numbered notebooks of a folder (``NN_slug.ipynb``), in order."""
    return [Page(path, _title_of(path, *_version(path))) for path in sorted(folder.glob("[0-9][0-9]_*.ipynb"))]


def _version(path: Path) -> tuple[int, int]:
    found = path.stat()
    return found.st_mtime_ns, found.st_size


@functools.lru_cache(maxsize=None)
def _title_of(path: Path, *version) -> str:
    """A notebook's title, read once per version of the file (a build and a test run ask for it many times)."""
    return _title(nbformat.read(path, as_version=4), path)


def _title(notebook, path: Path) -> str:
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^#\s+(.+)$", cell.source, flags=re.MULTILINE)
            if match:
                return match.group(1).strip()
    raise ValueError(f"{path.name} has no '# Title' heading in a markdown cell; every notebook needs one.")


def navigation_markdown(pages: list[Page], index: int) -> str:
    """The prev/next line for ``pages[index]``, with a link back to the start and, once the series is published,
    a link that opens this very notebook on Binder."""
    parts = []
    if index > 0:
        parts.append(f"[← {pages[index - 1].title}]({pages[index - 1].name})")
    if index != 0:
        parts.append(f"[Contents]({pages[0].name}#Contents)")
    if index + 1 < len(pages):
        parts.append(f"[{pages[index + 1].title} →]({pages[index + 1].name})")
    if links.PUBLISHED_AT:
        page = pages[index].path
        binder = links.binder_link(links.PUBLISHED_AT, notebook=f"{page.parent.name}/{page.name}")
        parts.append(f"[Open in Binder]({binder})")
    return f"{NAV_SENTINEL}\n" + " | ".join(parts)


def launch_markdown() -> str:
    """The README's Binder badge, or, before the series is published, how to get one."""
    if links.PUBLISHED_AT:
        body = f"[![Launch on Binder]({BINDER_BADGE})]({links.binder_link(links.PUBLISHED_AT)})"
    else:
        body = ("*No Binder badge yet: this copy of the series does not know its public address. Whoever publishes it "
                "sets `PUBLISHED_AT` in `collectivisation/tools/links.py` and runs `python -m collectivisation build`, which "
                "puts the badge here and an \"Open in Binder\" link on every notebook. Meanwhile, "
                "`python -m collectivisation link --repo URL` prints the Binder link for any public copy.*")
    return f"{LAUNCH_START}\n{body}\n{LAUNCH_END}"


def contents_markdown(pages: list[Page]) -> str:
    lines = [CONTENTS_SENTINEL, "## Contents", ""]
    lines += [f"{number}. [{page.title}]({page.name})" for number, page in enumerate(pages)]
    return "\n".join(lines)


def _set_generated_cell(notebook, sentinel: str, source: str, position: int) -> None:
    """Replace the cell that carries ``sentinel``, or insert one at ``position`` if there is none yet."""
    cells = [cell for cell in notebook.cells if sentinel in cell.source]
    if cells:
        for cell in cells:
            cell.source = source
    else:
        notebook.cells.insert(position, nbformat.v4.new_markdown_cell(source))


def add_navigation(notebook, pages: list[Page], index: int) -> None:
    """Navigation above the title and at the very end; the contents list in the first notebook."""
    nav = navigation_markdown(pages, index)
    tops = [i for i, cell in enumerate(notebook.cells) if NAV_SENTINEL in cell.source]
    if not tops:
        notebook.cells.insert(0, nbformat.v4.new_markdown_cell(nav))
        notebook.cells.append(nbformat.v4.new_markdown_cell(nav))
    for i in [i for i, cell in enumerate(notebook.cells) if NAV_SENTINEL in cell.source]:
        notebook.cells[i].source = nav
    if index == 0:
        _set_generated_cell(notebook, CONTENTS_SENTINEL, contents_markdown(pages), position=len(notebook.cells) - 1)


def execute(notebook, probe=None, allow_errors=False, env: dict[str, str] | None = None) -> str:
    """Run every cell in a fresh kernel, in an empty temporary folder, and keep only what is deterministic.

    ``probe`` is an extra code cell run last, in the same kernel, and then removed: what it printed is returned
    (the build uses it to read the answers out of a solution notebook). ``env`` holds environment variables for
    the kernel alone, on top of this process's own, which stay as they are.
    """
    if probe is not None:
        notebook.cells.append(probe)
    with tempfile.TemporaryDirectory() as workdir:
        # coalesce_streams: the kernel sends a cell's printing in one message or several, as timing falls out
        # (under load, several); merged, the saved notebook is the same either way.
        notebook_client(notebook, workdir, timeout=TIMEOUT_SECONDS, record_timing=False, coalesce_streams=True,
                        allow_errors=allow_errors).execute(env={**os.environ, **(env or {})})
    printed = ""
    if probe is not None:
        printed = "".join(o.get("text", "") for o in notebook.cells.pop().outputs if o.output_type == "stream")
    normalise(notebook)
    return printed


def normalise(notebook) -> None:
    """Drop what differs between runs and machines from a notebook.

    That is Python's patch version, and the last bits of floating-point numbers in chart
    data: numpy's vectorised sums can round differently with memory alignment, which no reader can see but which
    would make a rebuild differ by a byte.
    """
    notebook.metadata = nbformat.NotebookNode(
        kernelspec=KERNELSPEC, language_info={"name": "python", "pygments_lexer": "ipython3"})
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        for output in cell.get("outputs", []):
            if PLOTLY_MIME in output.get("data", {}):
                output["data"][PLOTLY_MIME] = _round_floats(output["data"][PLOTLY_MIME])


def keep_cell_ids(notebook, name: str) -> None:
    """Give every cell an id that stays the same from build to build, so a diff shows only what really changed.

    A cell whose id the build gave it (``cell-...``) keeps it, wherever it moves. A new cell (Jupyter gave it a
    random id, or the build has just made it) gets one from a hash of the notebook's ``name`` and its position, the
    same on every machine, and different from every id already in the notebook.
    """
    kept, fresh = set(), []
    for position, cell in enumerate(notebook.cells):
        if cell.get("id", "").startswith(CELL_ID_PREFIX) and cell.id not in kept:
            kept.add(cell.id)
        else:
            fresh.append((position, cell))
    for position, cell in fresh:
        attempt = 0
        while (new := CELL_ID_PREFIX + _digest(f"{name}/{position}/{attempt}")) in kept:
            attempt += 1
        cell.id = new
        kept.add(new)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def _round_floats(value):
    """The same structure, every float to 12 significant digits."""
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, list):
        return [_round_floats(item) for item in value]
    if isinstance(value, dict):
        return {key: _round_floats(item) for key, item in value.items()}
    return value


def render(notebook) -> str:
    return nbformat.writes(notebook) + "\n"


def built_files(root: Path = ROOT, run: bool = True, only: list[Path] | None = None,
                guides: bool = True) -> dict[Path, str]:
    """What every generated file should contain: notebooks and solutions with navigation and (with ``run``)
    executed outputs; from the solutions, the exercises and the answer key; and (with ``guides``) the generated
    parts of TEACHING.md and README.md.

    ``only`` limits the work to those notebooks (navigation still takes the whole series into account).
    """
    checkpoints = checked_questions(root)
    result, key = {}, dict(checkpoints)
    for folder in SERIES_DIRS:
        pages = series(root / folder)
        for index, page in enumerate(pages):
            if only is not None and page.path.resolve() not in only:
                continue
            notebook = nbformat.read(page.path, as_version=4)
            add_navigation(notebook, pages, index)
            keep_cell_ids(notebook, f"{folder}/{page.name}")
            try:
                if folder == SOLUTIONS:
                    homework.check_markers(notebook)  # before the run: an unmatched marker would leak the answer
                if not run:
                    normalise(notebook)
                elif folder == SOLUTIONS:
                    notebook, entries = _run_solution(notebook, answer_key_path(root))
                    key.update(entries)
                elif homework.questions(notebook):
                    with kernels_reading({**_key_on_disk(answer_key_path(root)), **checkpoints}) as env:
                        execute(notebook, env=env)
                else:
                    execute(notebook)
            except CellExecutionError as error:
                plain = re.sub(r"\x1b\[[0-9;]*m", "", str(error))  # the kernel colours its tracebacks
                last = [line for line in plain.splitlines() if line.strip()][-1]
                raise BuildError(f"{page.path.relative_to(root)} stopped with an error: {last}") from None
            except homework.MarkerError as error:
                raise BuildError(f"{page.path.relative_to(root)}: {error}") from None
            result[page.path] = render(notebook)
            if folder == SOLUTIONS:
                result[root / EXERCISES / page.name] = render(homework.exercise_from(notebook))
    if key:
        result[answer_key_path(root)] = _merged_key(answer_key_path(root), key, full=run and only is None)
    if not guides:
        return result
    guide = root / "TEACHING.md"
    if guide.exists():
        result[guide] = with_block(guide.read_text(encoding="utf-8"), teaching.START, teaching.END,
                                   teaching.notebook_guide(series(root / NOTEBOOKS), root / SOLUTIONS, result))
    readme = root / "README.md"
    if readme.exists():
        result[readme] = with_block(readme.read_text(encoding="utf-8"), LAUNCH_START, LAUNCH_END, launch_markdown())
    return result


def with_block(document: str, start: str, end: str, block: str) -> str:
    """``document`` with its generated block (from the ``start`` line to the ``end`` line) replaced by ``block``,
    or with ``block`` appended the first time."""
    if start in document and end in document:
        before, rest = document.split(start, 1)
        return before + block + rest.split(end, 1)[1]
    return document.rstrip("\n") + "\n\n" + block + "\n"


def checked_questions(root: Path) -> dict:
    """Read every question of the series from the metadata (no kernel needed) and stop the build, with a message
    that names the cells, if a spec is incomplete or two cells share an id; return the core notebooks' checkpoints
    as answer-key entries."""
    where, problems, checkpoints = {}, [], {}
    for folder in SERIES_DIRS:
        for page in series(root / folder):
            notebook = nbformat.read(page.path, as_version=4)
            for question in homework.questions(notebook):
                place = f"{folder}/{page.name}"
                if question["id"] in where:
                    problems.append(f"two cells share the id {question['id']}: one in {where[question['id']]}, one in "
                                    f"{place}; give each question its own id")
                where.setdefault(question["id"], place)
                problems += [f"{place}: {problem}" for problem in homework.problems(question, folder == NOTEBOOKS)]
            if folder == NOTEBOOKS:
                checkpoints.update(homework.checkpoint_entries(notebook))
    if problems:
        raise BuildError("Questions to fix before the answer key can be built:\n- " + "\n- ".join(problems))
    return checkpoints


def _key_on_disk(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


@contextmanager
def kernels_reading(key: dict):
    """The environment for kernels that must check answers against ``key`` rather than the key on disk, which the
    build only writes at the end (and not at all with ``--check``): pass it as ``execute(..., env=...)``. Only the
    kernel sees it; the calling process's environment stays as it was."""
    with tempfile.TemporaryDirectory() as folder:
        fresh_key = Path(folder) / "answer_key.json"
        fresh_key.write_text(json.dumps(key), encoding="utf-8")
        yield {"COLLECTIVISATION_KEY": str(fresh_key)}


def _run_solution(notebook, key_path: Path):
    """Execute a solution notebook and read its answers out; return it and its answer-key entries.

    The solution's own checks need the key that this very run produces. So the first run reads the answers (errors
    allowed); when they differ from the key on disk, a second run checks them against the new key, given to the
    kernel through COLLECTIVISATION_KEY. Once the key is current, one run is enough.
    """
    first = copy.deepcopy(notebook)
    entries = homework.key_entries(notebook, json.loads(execute(first, homework.export_cell(notebook), True)))
    current = _key_on_disk(key_path)
    errors = any(o.output_type == "error" for c in first.cells if c.cell_type == "code" for o in c.outputs)
    if not errors and all(current.get(qid) == entry for qid, entry in entries.items()):
        return first, entries
    with kernels_reading({**current, **entries}) as env:
        execute(notebook, env=env)
    return notebook, entries


def _merged_key(path: Path, key: dict, full: bool) -> str:
    """The answer key as JSON; a partial build keeps the entries of the solutions it did not run (the checkpoints
    of the core notebooks are always all read again, so an old one is never kept)."""
    if not full:
        kept = {qid: entry for qid, entry in _key_on_disk(path).items() if entry.get("source") != "notebooks"}
        key = {**kept, **key}
    return json.dumps(dict(sorted(key.items())), indent=1, ensure_ascii=False) + "\n"


def build(check: bool = False, run: bool = True, root: Path = ROOT, only: list[Path] | None = None) -> list[Path]:
    """Write (or, with ``check``, only compare) every generated file; return the files that differ."""
    changed = []
    only = [path.resolve() for path in only] if only else None
    for path, text in built_files(root, run=run, only=only).items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            changed.append(path)
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    return changed
