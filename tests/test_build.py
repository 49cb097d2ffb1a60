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


def _asked_in(folder: str) -> set[str]:
    return {question["id"] for page in series(ROOT / folder)
            for question in questions(nbformat.read(page.path, as_version=4))}


def test_the_answer_key_holds_the_questions_of_the_series_and_no_others():
    """The key's entries are checked solution by solution as they run; this finds an entry no cell asks, or one
    filed under the wrong source (the grader looks for an exercise's questions under "solutions" and a core
    notebook's checkpoints and verdicts under "notebooks")."""
    key = json.loads(answer_key_path(ROOT).read_text(encoding="utf-8"))
    for source in ("solutions", "notebooks"):
        asked = _asked_in(source)
        assert asked, f"no questions in {source}/"
        assert {qid for qid, spec in key.items() if spec.get("source") == source} == asked, source
    assert set(key) == _asked_in("solutions") | _asked_in("notebooks")


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


GLOSSARY = "99_glossary.ipynb"


def _lessons(folder: str) -> list:
    """The lessons of a folder: every page but the glossary, which is a reference, not a lesson."""
    return [page for page in series(ROOT / folder) if page.name != GLOSSARY]


def _prose(page) -> str:
    return "\n".join(c.source for c in nbformat.read(page.path, as_version=4).cells if c.cell_type == "markdown")


def test_every_lesson_opens_with_objectives_and_ends_with_key_points():
    """Core notebooks and extensions alike; the glossary is the one page that is not a lesson."""
    lessons = _lessons("notebooks") + _lessons("extensions")
    assert len(lessons) == len(series(ROOT / "notebooks")) - 1 + len(series(ROOT / "extensions"))
    for page in lessons:
        text = _prose(page)
        for heading in ("Questions", "Objectives", "Key points"):
            assert heading in text, f"{page.path.parent.name}/{page.name} has no '{heading}' section"


def test_every_chart_is_followed_by_a_description_for_readers_who_cannot_see_it():
    for page in series(ROOT / "notebooks"):
        cells = nbformat.read(page.path, as_version=4).cells
        for index, cell in enumerate(cells):
            if cell.cell_type == "code" and any("application/vnd.plotly.v1+json" in o.get("data", {})
                                                 for o in cell.get("outputs", [])):
                after = cells[index + 1] if index + 1 < len(cells) else None
                assert after is not None and after.cell_type == "markdown" and "**What the chart shows" in after.source, \
                    f"{page.name}, cell {index}: a chart must be followed by a '**What the chart shows:**' cell"


def _claims_examined(folder: str) -> dict[str, list[str]]:
    """The claims each page names on its "**Claims examined:**" line (the line TEACHING.md quotes), by claim."""
    import re

    examined: dict[str, list[str]] = {}
    for page in _lessons(folder):
        line = re.search(r"\*\*Claims examined:?\*\*:?(.*)", _prose(page))
        for claim_id in re.findall(r"C\d\d", line.group(1) if line else ""):
            examined.setdefault(claim_id, []).append(f"{folder}/{page.name}")
    return examined


def test_every_claim_is_examined_by_one_core_notebook_at_most_and_by_the_series_as_a_whole():
    """Each lesson names the claims it examines ("Claims examined: C01, C02"). Core notebooks and extensions together
    cover the ledger; no two core notebooks claim one claim (an extension goes further into its core notebook's
    claims, and may examine claims the 45-minute lessons leave out)."""
    import collectivisation as cz

    core, extensions = _claims_examined("notebooks"), _claims_examined("extensions")
    ledger = set(cz.load("claims")["claim_id"])
    assert ledger <= set(core) | set(extensions), \
        f"claims no notebook examines: {sorted(ledger - set(core) - set(extensions))}"
    assert set(core) | set(extensions) <= ledger, "a notebook names a claim the ledger does not hold"
    twice = {claim: pages for claim, pages in core.items() if len(pages) > 1}
    assert not twice, f"claims examined in more than one core notebook: {twice}"


def _figures(path) -> list[dict]:
    return [o["data"]["application/vnd.plotly.v1+json"] for c in nbformat.read(path, as_version=4).cells
            if c.cell_type == "code" for o in c.outputs if "application/vnd.plotly.v1+json" in o.get("data", {})]


def _changeable(figure: dict) -> bool:
    """A chart whose view the student can change: a menu, a slider or several legend entries."""
    layout = figure["layout"]
    return bool(layout.get("updatemenus") or layout.get("sliders") or len(figure["data"]) > 1)


def test_every_strand_explores_with_two_charts_at_least_and_one_you_can_change():
    """Strands 02-08 explore with charts. A 45-minute core notebook shows at least one; with its extension, the strand
    has two at least and one the student can change (notebook 01 reads the essay, with one chart by design)."""
    strands = [page for page in _lessons("notebooks") if "02" <= page.name[:2] <= "08"]
    assert [page.name[:2] for page in strands] == [f"{n:02d}" for n in range(2, 9)]
    for page in strands:
        extension = ROOT / "extensions" / page.name
        core = _figures(page.path)
        figures = core + (_figures(extension) if extension.exists() else [])
        assert core, f"notebooks/{page.name} has no chart"
        assert len(figures) >= 2, f"strand {page.name[:2]} has {len(figures)} chart(s)"
        assert any(map(_changeable, figures)), f"strand {page.name[:2]} has no chart whose view the student can change"


def test_the_teaching_guide_counts_what_the_build_has_just_run(tmp_path):
    """A table a notebook shows only once it is run must be counted in the same build, not the next one."""
    from collectivisation.tools import teaching
    (tmp_path / "notebooks").mkdir()
    lesson = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A lesson"), nbformat.v4.new_code_cell(
        "from IPython.display import HTML\nHTML('<table><tr><td>1</td></tr></table>')")])
    nbformat.write(lesson, tmp_path / "notebooks" / "02_lesson.ipynb")
    (tmp_path / "TEACHING.md").write_text(f"{teaching.START}\n{teaching.END}\n")
    guide = built_files(tmp_path)[tmp_path / "TEACHING.md"]
    assert "1 tables" in guide, guide
