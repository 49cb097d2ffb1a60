"""Regenerate everything in the series that is made rather than written: navigation, contents, executed outputs.

``python -m collectivisation build`` rewrites the notebooks in place; ``build --check`` does the same in memory and
fails if any file would change, which is how CI proves that what is committed is what the code makes.

Generated cells are found by a sentinel comment in their source, so a rerun updates them instead of adding more
(the approach of the Python Data Science Handbook's tools). Execution runs in a fresh kernel from a temporary
working directory, which also proves that no notebook depends on where it is opened from.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
SERIES_DIRS = ("notebooks",)
NAV_SENTINEL = "<!-- navigation: written by `python -m collectivisation build`; edit there, not here -->"
CONTENTS_SENTINEL = "<!-- contents: written by `python -m collectivisation build`; edit there, not here -->"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
TIMEOUT_SECONDS = 300


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
    pages = []
    for path in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        pages.append(Page(path, _title(notebook, path)))
    return pages


def _title(notebook, path: Path) -> str:
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^#\s+(.+)$", cell.source, flags=re.MULTILINE)
            if match:
                return match.group(1).strip()
    raise ValueError(f"{path.name} has no '# Title' heading in a markdown cell; every notebook needs one.")


def navigation_markdown(pages: list[Page], index: int) -> str:
    """The prev/next line for ``pages[index]``, with a link back to the start."""
    parts = []
    if index > 0:
        parts.append(f"[← {pages[index - 1].title}]({pages[index - 1].name})")
    if index != 0:
        parts.append(f"[Contents]({pages[0].name}#Contents)")
    if index + 1 < len(pages):
        parts.append(f"[{pages[index + 1].title} →]({pages[index + 1].name})")
    return f"{NAV_SENTINEL}\n" + " | ".join(parts)


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


def execute(notebook) -> None:
    """Run every cell in a fresh kernel, in an empty temporary folder, and keep only what is deterministic."""
    with tempfile.TemporaryDirectory() as workdir:
        NotebookClient(notebook, timeout=TIMEOUT_SECONDS, kernel_name="python3", record_timing=False,
                       resources={"metadata": {"path": workdir}}).execute()
    normalise(notebook)


def normalise(notebook) -> None:
    """Drop what differs between machines (Python's patch version, cell ids made at random) from a notebook."""
    notebook.metadata = nbformat.NotebookNode(
        kernelspec=KERNELSPEC, language_info={"name": "python", "pygments_lexer": "ipython3"})
    for number, cell in enumerate(notebook.cells):
        cell.id = f"cell-{number:02d}"
        cell.metadata.pop("execution", None)


def render(notebook) -> str:
    return nbformat.writes(notebook) + "\n"


def built_notebooks(root: Path = ROOT, run: bool = True, only: list[Path] | None = None) -> dict[Path, str]:
    """What series notebooks should contain: navigation written and (with ``run``) outputs executed.

    ``only`` limits the work to those notebooks (the navigation still takes the whole series into account).
    """
    result = {}
    for folder in SERIES_DIRS:
        pages = series(root / folder)
        for index, page in enumerate(pages):
            if only is not None and page.path.resolve() not in only:
                continue
            notebook = nbformat.read(page.path, as_version=4)
            add_navigation(notebook, pages, index)
            if run:
                execute(notebook)
            else:
                normalise(notebook)
            result[page.path] = render(notebook)
    return result


def build(check: bool = False, run: bool = True, root: Path = ROOT, only: list[Path] | None = None) -> list[Path]:
    """Write (or, with ``check``, only compare) every generated file; return the files that differ."""
    changed = []
    only = [path.resolve() for path in only] if only else None
    for path, text in built_notebooks(root, run=run, only=only).items():
        if path.read_text(encoding="utf-8") != text:
            changed.append(path)
            if not check:
                path.write_text(text, encoding="utf-8")
    return changed
