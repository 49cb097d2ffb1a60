"""Every chart a student meets, read from the committed notebooks: its own height, and colours that match its legend.

(How each chart looks in a real browser — plot area, overlaps — is tested on the static site, tests/test_site.py.)
"""

import nbformat
import pytest

from collectivisation.tools.build import series
from collectivisation.tools.paths import PLOTLY_MIME, ROOT, SERIES_DIRS

FIGURES = [(f"{page.path.parent.name}/{page.path.stem} chart {number}", figure)
           for folder in SERIES_DIRS for page in series(ROOT / folder)
           for number, figure in enumerate((output["data"][PLOTLY_MIME]
                                            for cell in nbformat.read(page.path, as_version=4).cells
                                            if cell.cell_type == "code" for output in cell.get("outputs", [])
                                            if PLOTLY_MIME in output.get("data", {})), 1)]


@pytest.mark.parametrize("name,figure", FIGURES, ids=[name for name, _ in FIGURES])
def test_every_chart_sets_its_own_height(name, figure):
    """JupyterLab draws a figure without its own height 360 px tall, whatever the template says."""
    assert figure["layout"].get("height", 0) >= 400, f"{name}: call cz.finish(fig, table) before .show()"


@pytest.mark.parametrize("name,figure", FIGURES, ids=[name for name, _ in FIGURES])
def test_every_trace_in_a_legend_is_drawn_in_one_colour(name, figure):
    """A legend entry promises one colour: a trace drawn in several (a list of colours) breaks that promise, as the
    famine chart once did when it showed Davies & Wheatcroft's USSR figure in Kazakhstan's colour."""
    for trace in figure["data"]:
        if trace.get("showlegend", True) is False:
            continue
        colours = (trace.get("marker") or {}).get("color")
        assert not isinstance(colours, list) or len(set(map(str, colours))) <= 1, (
            f"{name}: the trace {trace.get('name')!r} has several colours but one legend entry")


def _drawn_colour(figure, index):
    """The colour plotly.js draws trace ``index`` in: its own, else the colour way's, counted by trace position."""
    trace = figure["data"][index]
    own = (trace.get("marker") or {}).get("color") or (trace.get("line") or {}).get("color")
    if own is not None:
        return str(own)
    layout = figure["layout"]
    colourway = layout.get("colorway") or layout.get("template", {}).get("layout", {}).get("colorway") or ["?"]
    return colourway[index % len(colourway)]


def mixed_legend_colours(figure) -> dict:
    """Legend groups whose marks plotly.js draws in more than one colour, with those colours."""
    colours = {}
    for index, trace in enumerate(figure["data"]):
        group = trace.get("legendgroup") or trace.get("name")
        if group and trace.get("type") in ("scatter", "bar"):
            colours.setdefault(group, set()).add(_drawn_colour(figure, index))
    return {group: sorted(found) for group, found in colours.items() if len(found) > 1}


def test_the_check_catches_a_group_drawn_in_two_colours():
    figure = {"layout": {"colorway": ["#0072B2", "#E69F00"]},
              "data": [{"type": "scatter", "legendgroup": "USSR"},
                       {"type": "scatter", "legendgroup": "USSR", "showlegend": False}]}
    assert mixed_legend_colours(figure) == {"USSR": ["#0072B2", "#E69F00"]}


@pytest.mark.parametrize("name,figure", FIGURES, ids=[name for name, _ in FIGURES])
def test_marks_that_share_a_legend_entry_share_its_colour(name, figure):
    """Dots added to a chart of ranges must take the colour of the range they belong to, not the next free one."""
    mixed = mixed_legend_colours(figure)
    assert not mixed, f"{name}: one legend entry, several colours: {mixed}"
