"""Every mark in a committed chart has the colour of its legend entry.

A reader decodes a chart through its legend: a dot drawn in Kazakhstan's colour but standing for the USSR is a
false statement about the data. plotly express colours each trace by its position in the colour order, so two
figures drawn separately and merged (lines for ranges, dots for single figures) can give one group two colours.
"""

import json
from pathlib import Path

import pytest

from collectivisation.tools.paths import EXTENSIONS, NOTEBOOKS, PLOTLY_MIME

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / NOTEBOOKS).glob("[0-9][0-9]_*.ipynb")) + sorted((ROOT / EXTENSIONS).glob("[0-9][0-9]_*.ipynb"))


def charts(path: Path):
    """The plotly figures stored in a notebook's outputs, with the title of each."""
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            figure = output.get("data", {}).get(PLOTLY_MIME)
            if figure:
                yield figure.get("layout", {}).get("title", {}).get("text", "(untitled)"), figure["data"]


def colour(trace: dict):
    """The colour a trace is drawn in: its marker's, else its line's."""
    return trace.get("marker", {}).get("color", trace.get("line", {}).get("color"))


def legend_mismatches(traces: list[dict]) -> list[str]:
    """Legend groups drawn in more than one colour, and traces in the legend coloured point by point."""
    problems, seen = [], {}
    for trace in traces:
        group, drawn = trace.get("legendgroup") or trace.get("name"), colour(trace)
        if isinstance(drawn, list) and trace.get("showlegend", True):
            problems.append(f"{group!r} has one colour per point, so its legend entry cannot match its marks")
        elif group and drawn is not None:
            if group in seen and seen[group] != drawn:
                problems.append(f"{group!r} is drawn in {seen[group]} and in {drawn}")
            seen.setdefault(group, drawn)
    return problems


def test_the_check_catches_a_group_drawn_in_two_colours():
    traces = [{"legendgroup": "USSR", "marker": {"color": "#0072B2"}},
              {"legendgroup": "USSR", "marker": {"color": "#E69F00"}, "showlegend": False}]
    assert legend_mismatches(traces)


@pytest.mark.parametrize("path", PAGES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_every_mark_has_the_colour_of_its_legend_entry(path):
    problems = [f"{title}: {problem}" for title, traces in charts(path) for problem in legend_mismatches(traces)]
    assert not problems, "; ".join(problems)
