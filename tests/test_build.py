"""What is generated is what is committed: navigation, contents and executed outputs are reproducible."""

import json

import nbformat

from collectivisation.tools.build import CONTENTS_SENTINEL, NAV_SENTINEL, built_files, execute, series
from collectivisation.tools.homework import questions
from collectivisation.tools.outputs import differences
from collectivisation.tools.paths import ROOT, answer_key_path


def test_everything_generated_without_running_a_notebook_is_up_to_date():
    """Navigation, contents, exercises, TEACHING.md and the README's launch block are what the build makes.

    The executed outputs are checked notebook by notebook, each run once (see conftest.py: the ``rebuild`` and
    ``outputs`` checks of every notebook)."""
    changed = differences(built_files(run=False), ROOT)
    assert not changed, "out of date; run `python -m collectivisation build`:\n" + "\n".join(changed)


def test_the_answer_key_holds_the_questions_of_the_solutions_and_no_others():
    """The key's entries are checked solution by solution as they run; this finds an entry no solution asks."""
    asked = {question["id"] for page in series(ROOT / "solutions")
             for question in questions(nbformat.read(page.path, as_version=4))}
    assert set(json.loads(answer_key_path(ROOT).read_text(encoding="utf-8"))) == asked


def test_printing_that_the_kernel_sends_in_pieces_is_saved_as_one_output():
    """Under load the kernel sends one cell's prints in several messages; the build must save them the same way
    as when they come in one, or a rebuild on a busy machine differs from the committed notebook."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import sys, time\nprint('first')\ntime.sleep(0.5)\nprint('second')\nprint('warning', file=sys.stderr)")])
    execute(notebook)
    assert [(o.output_type, o.name, o.text) for o in notebook.cells[0].outputs] == [
        ("stream", "stdout", "first\nsecond\n"), ("stream", "stderr", "warning\n")]


def test_navigation_is_written_once_and_links_neighbours():
    pages = series(ROOT / "notebooks")
    assert pages[0].name == "00_start_here.ipynb"
    for index, page in enumerate(pages):
        notebook = nbformat.read(page.path, as_version=4)
        navs = [cell for cell in notebook.cells if NAV_SENTINEL in cell.source]
        assert len(navs) == 2 and notebook.cells[0] is navs[0] and notebook.cells[-1] is navs[1], page.name
        if index + 1 < len(pages):
            assert f"]({pages[index + 1].name})" in navs[0].source, f"{page.name} must link to the next notebook"
        if index > 0:
            assert f"]({pages[index - 1].name})" in navs[0].source, f"{page.name} must link to the previous one"
    contents = [c for c in nbformat.read(pages[0].path, as_version=4).cells if CONTENTS_SENTINEL in c.source]
    assert len(contents) == 1 and all(f"]({page.name})" in contents[0].source for page in pages)


def test_every_notebook_opens_with_objectives_and_ends_with_key_points():
    for page in series(ROOT / "notebooks"):
        text = "\n".join(c.source for c in nbformat.read(page.path, as_version=4).cells if c.cell_type == "markdown")
        for heading in ("Questions", "Objectives", "Key points"):
            assert heading in text, f"{page.name} has no '{heading}' section"


def test_every_chart_is_followed_by_a_description_for_readers_who_cannot_see_it():
    for page in series(ROOT / "notebooks"):
        cells = nbformat.read(page.path, as_version=4).cells
        for index, cell in enumerate(cells):
            if cell.cell_type == "code" and any("application/vnd.plotly.v1+json" in o.get("data", {})
                                                 for o in cell.get("outputs", [])):
                after = cells[index + 1] if index + 1 < len(cells) else None
                assert after is not None and after.cell_type == "markdown" and "**What the chart shows" in after.source, \
                    f"{page.name}, cell {index}: a chart must be followed by a '**What the chart shows:**' cell"


def test_every_claim_is_examined_in_exactly_one_notebook_of_the_series():
    """Each notebook names the claims it examines ("Claims examined: C01, C02"); together they cover the ledger."""
    import re

    import collectivisation as cz

    examined: dict[str, list[str]] = {}
    for page in series(ROOT / "notebooks"):
        text = "\n".join(c.source for c in nbformat.read(page.path, as_version=4).cells if c.cell_type == "markdown")
        line = re.search(r"\*\*Claims examined:?\*\*:?(.*)", text)
        for claim_id in re.findall(r"C\d\d", line.group(1) if line else ""):
            examined.setdefault(claim_id, []).append(page.name)
    ledger = set(cz.load("claims")["claim_id"])
    assert ledger <= set(examined), f"claims no notebook examines: {sorted(ledger - set(examined))}"
    twice = {claim: pages for claim, pages in examined.items() if len(pages) > 1}
    assert not twice, f"claims examined in more than one notebook: {twice}"


def test_every_strand_notebook_has_at_least_two_charts_and_one_you_can_change():
    """Notebooks 01-08 explore with charts: two at least, and one with a menu, slider or several legend entries."""
    for page in series(ROOT / "notebooks")[1:]:
        figures = [o["data"]["application/vnd.plotly.v1+json"] for c in nbformat.read(page.path, as_version=4).cells
                   if c.cell_type == "code" for o in c.outputs if "application/vnd.plotly.v1+json" in o.get("data", {})]
        assert len(figures) >= 2, f"{page.name} has {len(figures)} chart(s)"
        assert any(f["layout"].get("updatemenus") or f["layout"].get("sliders") or len(f["data"]) > 1
                   for f in figures), f"{page.name} has no chart whose view the student can change"
