"""What a lesson asks of a class: the core notebooks keep their budget, and every term is explained where it
first appears (a link to the glossary)."""

import re

import nbformat
import pytest

from collectivisation.tools.build import series
from collectivisation.tools.load import BUDGET, lesson_load
from collectivisation.tools.paths import EXTENSIONS, NOTEBOOKS, ROOT

GLOSSARY = ROOT / NOTEBOOKS / "99_glossary.ipynb"
TERMS = [match.group(1).strip() for cell in nbformat.read(GLOSSARY, as_version=4).cells
         for match in re.finditer(r"^###\s+(.+)$", cell.source, re.M)]
LESSONS = [page.path for folder in (NOTEBOOKS, EXTENSIONS) for page in series(ROOT / folder)
           if page.path != GLOSSARY]
CORE = [path for path in LESSONS if lesson_load(path)["core"]]
_LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")


def _first_use(text: str, term: str):
    """Where the term (or a plural or other ending: kulaks, kolkhozy) first appears in a notebook's prose."""
    return re.search(rf"(?<![\w-]){re.escape(term)}\w*", text, re.I if term.islower() else 0)


def _prose(path):
    return "\n\n".join(cell.source for cell in nbformat.read(path, as_version=4).cells
                       if cell.cell_type == "markdown" and "written by `python -m collectivisation build`"
                       not in cell.source and not cell.source.lstrip().startswith("#" * 1 + " "))


def test_the_glossary_explains_the_terms_the_issue_names():
    needed = {"NEP", "kolkhoz", "sovkhoz", "kulak", "Politburo", "OGPU", "MTS", "procurement", "barn yield",
              "biological yield", "special settlers", "Holodomor", "DataFrame", "pandas", "plotly"}
    assert needed <= set(TERMS), f"missing from the glossary: {sorted(needed - set(TERMS))}"


@pytest.mark.parametrize("path", LESSONS, ids=[f"{p.parent.name}/{p.stem}" for p in LESSONS])
def test_each_glossary_term_is_linked_where_a_notebook_first_uses_it(path):
    text = _prose(path)
    links = [(m.start(), m.end(), m.group(2)) for m in _LINK.finditer(text)]
    unlinked = []
    for term in TERMS:
        found = _first_use(text, term)
        if not found:
            continue
        anchor = "99_glossary.ipynb#" + term.replace(" ", "-")
        inside = [target for start, end, target in links if start <= found.start() < end]
        if not any(target.endswith(anchor) for target in inside):
            unlinked.append(term)
    assert not unlinked, (f"{path.name}: link the first use of {', '.join(unlinked)} to the glossary, "
                          f"e.g. [kolkhoz](99_glossary.ipynb#kolkhoz)")


@pytest.mark.parametrize("path", CORE, ids=[p.stem for p in CORE])
def test_a_core_notebook_fits_a_lesson(path):
    figures = lesson_load(path)
    assert not figures["over_budget"], (
        f"{path.name} is over its budget {BUDGET}: " + ", ".join(f"{name} {figures[name]}" for name in
                                                                 figures["over_budget"]))
