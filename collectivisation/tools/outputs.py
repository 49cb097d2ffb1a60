"""What a run of a notebook printed, against what is committed: the problems a reader would notice.

Two checks read a freshly executed notebook this way: the test suite (on the lock, where any difference from the
committed notebook is a failure) and ``python -m collectivisation canary`` (on the newest releases, where each
difference is news). A problem is one of:

- an **error** a cell raised;
- a **warning**: anything a cell wrote to stderr, or warning text (``FutureWarning``, pandas' ``Pandas4Warning`` …)
  anywhere in what it printed; a student reads a warning as "I broke something", so the series prints none;
- a **changed output**: a cell's printed text or plain-text result differs from the committed one.

Charts are left out of the comparison (plotly's JSON is compared byte for byte by the rebuild test instead), and so
are HTML tables (their plain-text twin is compared) and execution counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: The text-bearing results compared; rich ones (charts, HTML tables) are compared elsewhere or have a plain twin.
TEXT_MIME = "text/plain"
WARNING_TEXT = re.compile(r"\b\w*Warning\b:")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class Problem:
    """One thing a reader would notice in one cell (``None``: in no one cell, e.g. a notebook that did not run): ``kind``
    is error, warning or changed. A changed output keeps the committed text (``expected``) and the new one (``got``);
    ``detail`` then names the cell by its first line."""

    notebook: str
    cell: int | None
    kind: str
    detail: str
    expected: str = ""
    got: str = ""

    def __str__(self) -> str:
        where = self.notebook if self.cell is None else f"{self.notebook}, cell {self.cell}"
        if self.kind == "changed":
            return (f"{where}: output changed (the cell starts: {self.detail})\n"
                    f"{_indented('expected', self.expected)}\n{_indented('got', self.got)}")
        return f"{where}: {self.kind}: {self.detail}"


def _indented(label: str, text: str) -> str:
    lines = text.rstrip("\n").splitlines() or ["(nothing)"]
    return "\n".join(f"    {label + ':' if number == 0 else '':<10}{line}" for number, line in enumerate(lines))


def changed(notebook: str, cell: int, source: str, expected: str, got: str) -> Problem:
    """A changed-output problem, naming the cell by its first line of code."""
    first_line = next((line for line in source.splitlines() if line.strip()), "")
    return Problem(notebook, cell, "changed", first_line, expected, got)


def printed_text(cell) -> str:
    """A code cell's stdout and plain-text results, in order, as a reader sees them (stderr is reported apart)."""
    parts = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream" and output.name == "stdout":
            parts.append(output.text)
        elif output.output_type in ("execute_result", "display_data") and TEXT_MIME in output.get("data", {}):
            parts.append(output["data"][TEXT_MIME])
    return "".join(part if part.endswith("\n") else part + "\n" for part in parts)


def errors_and_warnings(label: str, notebook) -> list[Problem]:
    """Every error and every warning in an executed notebook's outputs."""
    found = []
    for number, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                found.append(Problem(label, number, "error", f"{output.ename}: {ANSI.sub('', output.evalue)}"))
            elif output.output_type == "stream" and output.name == "stderr":
                found.append(Problem(label, number, "warning", _one_line(output.text)))
            elif WARNING_TEXT.search(_all_text(output)):
                found.append(Problem(label, number, "warning", _one_line(_all_text(output))))
    return found


def _all_text(output) -> str:
    if output.output_type == "stream":
        return output.text
    return str(output.get("data", {}).get(TEXT_MIME, ""))


def _one_line(text: str) -> str:
    """A warning as one readable line: the lines that name the warning, else the first line."""
    lines = [line.strip() for line in ANSI.sub("", text).splitlines() if line.strip()]
    named = [line for line in lines if WARNING_TEXT.search(line)]
    return " | ".join(named or lines[:1])


def changed_outputs(label: str, committed, executed) -> list[Problem]:
    """Each code cell whose printed text differs between the committed notebook and a fresh run of it."""
    found = []
    for (number, before), (_, after) in zip(_code_cells(committed), _code_cells(executed)):
        expected, got = printed_text(before), printed_text(after)
        if expected != got:
            found.append(changed(label, number, before.source, expected, got))
    return found


def _code_cells(notebook) -> list[tuple[int, object]]:
    return [(number, cell) for number, cell in enumerate(notebook.cells) if cell.cell_type == "code"]


def problems(label: str, committed, executed) -> list[Problem]:
    """Everything a reader would notice in a fresh run of a notebook, cell by cell."""
    return sorted(errors_and_warnings(label, executed) + changed_outputs(label, committed, executed),
                  key=lambda problem: problem.cell)


def differences(expected: dict, root) -> list[str]:
    """For each generated file whose committed text differs from ``expected`` (path → text): its path and the
    first lines of the diff."""
    import difflib

    found = []
    for path, text in expected.items():
        committed = path.read_text(encoding="utf-8") if path.exists() else ""
        if committed != text:
            diff = difflib.unified_diff(committed.splitlines(), text.splitlines(), lineterm="", n=1)
            found += [str(path.relative_to(root)), *list(diff)[:20]]
    return found
