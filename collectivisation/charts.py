"""One look for every chart in the series, and the source line under it.

Importing this module registers the plotly template ``"collectivisation"`` and makes it the default, once per
kernel: the notebooks then write plain plotly express (``px.line(df, x="year", y="value", color="series")``) and
call ``finish(fig, df)``, which adds what a historian's chart must have and plotly cannot guess: the sources of its
numbers, and year ticks that are whole years.
"""

from __future__ import annotations

import math
import numbers
import textwrap

import plotly.graph_objects as go
import plotly.io as pio

from .data import source_line

#: Okabe & Ito's palette: told apart by readers with every common kind of colour blindness.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442"]
TEMPLATE = "collectivisation"
_SOURCE_LINE_HEIGHT = 15  # pixels per line of the source note
_AXIS_ROOM = 70           # pixels between the plot and the source note, for the x-axis ticks and title
_LEGEND_WIDTH = 28        # characters per line of a legend entry


_GRID = "#EBF0F8"  # plotly_white's light grid, on a white background


def _template() -> go.layout.Template:
    """A small, self-contained template: white background, light grid, the palette, readable type.

    Small on purpose: plotly copies and checks the template for every figure it makes and shows, so a template
    with only the layout it needs (rather than plotly's full "plotly_white") keeps every chart quick to draw.
    """
    axis = dict(gridcolor=_GRID, linecolor=_GRID, zerolinecolor=_GRID, zerolinewidth=2, ticks="", automargin=True,
                title=dict(standoff=15))
    return go.layout.Template(layout=dict(
        colorway=PALETTE,
        font=dict(family="Arial, Helvetica, sans-serif", size=14, color="#222"),
        paper_bgcolor="white", plot_bgcolor="white", xaxis=axis, yaxis=axis,
        title=dict(x=0, xanchor="left", font=dict(size=18)),
        legend=dict(title_font=dict(size=13)),
        hovermode="closest", hoverlabel=dict(namelength=-1, align="left"),
        margin=dict(l=70, r=30, t=70),
        height=520,
    ))


pio.templates[TEMPLATE] = _template()
pio.templates.default = TEMPLATE


def finish(fig: go.Figure, data, note: str | None = None) -> go.Figure:
    """Add the source line under ``fig``, and whole-year ticks.

    ``data`` is the DataFrame the chart was drawn from (its ``source_id`` column is cited), or the source line
    itself as text. ``note`` adds a sentence after the sources, e.g. how a figure was computed. Returns the
    figure, so that ``finish(px.line(...), df).show()`` reads in one line.
    """
    text = data if isinstance(data, str) else source_line(data)
    if note:
        text += "<br>" + note
    lines = text.count("<br>") + 1
    fig.add_annotation(
        text=text, xref="paper", yref="paper", x=0, y=0, xanchor="left", yanchor="top",
        yshift=-_AXIS_ROOM, showarrow=False, align="left", font=dict(size=11, color="#555"),
    )
    fig.update_layout(margin=dict(b=_AXIS_ROOM + 10 + lines * _SOURCE_LINE_HEIGHT))
    _whole_year_ticks(fig)
    _wrap_legend_names(fig)
    return fig


def _wrap_legend_names(fig: go.Figure) -> None:
    """Sources and estimates have long names: wrap them, so that the legend does not squeeze the plot."""
    for trace in fig.data:
        if trace.name and len(trace.name) > _LEGEND_WIDTH and "<br>" not in trace.name:
            trace.name = "<br>".join(textwrap.wrap(trace.name, _LEGEND_WIDTH))


def _whole_year_ticks(fig: go.Figure) -> None:
    """Years on an x axis are whole numbers: never let plotly print 1929.5."""
    xs = [x for trace in fig.data if getattr(trace, "x", None) is not None for x in trace.x]
    if not xs or not all(isinstance(x, numbers.Real) and float(x).is_integer() and 1800 < x < 2100 for x in xs):
        return
    span = max(xs) - min(xs)
    fig.update_xaxes(tickformat="d", dtick=max(1, math.ceil(span / 12)))
