"""One look for every chart in the series, the source line under it, and the small tools a chart needs.

Importing this module registers the plotly template ``"collectivisation"`` and makes it the default, once per
kernel: the notebooks then write plain plotly express (``px.line(df, x="year", y="value", color="series")``) and
call ``finish(fig, df)``, which adds what a historian's chart must have and plotly cannot guess: the sources of its
numbers, a height that JupyterLab respects, and year ticks that are whole years.

The plumbing that would otherwise fill a student's cell (menus, event lines, verdict colours) lives here too, as
one call each, so that the code in a notebook states the question asked of the data:

- ``dropdown(fig)`` lets the reader show one group at a time (one choice per colour of the chart);
- ``event_line(fig, "Dizzy")`` marks a dated event from ``events.csv`` with a labelled line;
- ``VERDICT_COLOURS`` gives each verdict its colour, the same in every chart.
"""

from __future__ import annotations

import math
import numbers
import re
import sys
import textwrap

import plotly.graph_objects as go
import plotly.io as pio

from .data import DataError, _short_citation, load, source_line

#: Okabe & Ito's palette: told apart by readers with every common kind of colour blindness. A chart with more than
#: eight kinds of figure goes on to Paul Tol's wine and a grey, rather than starting again at the first colour.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442", "#882255", "#999999"]
#: A verdict's colour means the same in every chart: contradicted is warm, not checkable is grey.
VERDICT_COLOURS = {"supported": "#009E73", "partly supported": "#E69F00", "contradicted": "#D55E00",
                   "not checkable": "#999999"}
#: A figure that reached us only by a weak route is drawn hollow, the same in every chart:
#: ``px.scatter(..., symbol=cz.route_quality(table), symbol_map=cz.ROUTE_SYMBOLS)``.
ROUTE_SYMBOLS = {"citable route": "circle", "weak route": "circle-open"}
#: The same for bars, which are hatched: ``px.bar(..., pattern_shape=cz.route_quality(table),
#: pattern_shape_map=cz.ROUTE_PATTERNS)``. Both routes are named, or plotly would hatch the other one too.
ROUTE_PATTERNS = {"citable route": "", "weak route": "/"}
TEMPLATE = "collectivisation"
#: The name ``finish`` gives the source-line annotation, by which a checked figure shows it was finished.
SOURCE_LINE = "source line"
HEIGHT = 540              # pixels: JupyterLab draws a figure without its own height only 360 px tall
_SOURCE_LINE_HEIGHT = 15  # pixels per line of the source note
_AXIS_ROOM = 62           # pixels between the plot and the source note, for the x-axis ticks and title
_TOP_ROOM = 96            # pixels above the plot: the title, then a row for event labels and menus
_LEGEND_WIDTH = 26        # characters per line of a legend entry
_LEGEND_LINE = 15         # pixels per line of a legend entry (font size 12) ...
_LEGEND_GAP = 5           # ... and between two entries
_LEGEND_TITLE = 30        # pixels for the legend's title
_GRID = "#EBF0F8"         # plotly_white's light grid, on a white background


def _skip_a_grammar_no_notebook_uses() -> None:
    """Let a kernel show its first chart about two seconds sooner.

    To show a figure, plotly imports nbformat (to check its version); nbformat imports jsonschema; and jsonschema,
    where the package rfc3987-syntax is installed (JupyterLab's server needs it), compiles that package's grammar of
    web addresses as it is imported: two seconds or more, for a check no notebook makes. In a kernel that has not
    imported jsonschema yet, the package is marked as absent (``import`` then raises ImportError, which jsonschema
    expects). JupyterLab's server and the maintainers' tools run in other processes and keep the full check.
    """
    if "ipykernel" in sys.modules and "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


_skip_a_grammar_no_notebook_uses()


def _template() -> go.layout.Template:
    """A small, self-contained template: white background, light grid, the palette, readable type.

    Small on purpose: plotly copies and checks the template for every figure it makes and shows, so a template
    with only the layout it needs (rather than plotly's full "plotly_white") keeps every chart quick to draw.
    """
    axis = dict(gridcolor=_GRID, linecolor=_GRID, zerolinecolor=_GRID, zerolinewidth=2, ticks="", automargin=True,
                title=dict(standoff=12))
    return go.layout.Template(layout=dict(
        colorway=PALETTE,
        font=dict(family="Arial, Helvetica, sans-serif", size=14, color="#222"),
        paper_bgcolor="white", plot_bgcolor="white", xaxis=axis, yaxis=axis,
        title=dict(x=0, xanchor="left", y=1, yref="container", yanchor="top", pad=dict(t=14), font=dict(size=17)),
        legend=dict(title_font=dict(size=13), font=dict(size=12), x=1.02, xanchor="left", y=1, yanchor="top"),
        hovermode="closest", hoverlabel=dict(namelength=-1, align="left"),
        margin=dict(l=70, r=20, t=_TOP_ROOM),
        height=HEIGHT,
    ))


pio.templates[TEMPLATE] = _template()
pio.templates.default = TEMPLATE


def finish(fig: go.Figure, data, note: str | None = None) -> go.Figure:
    """Add the source line under ``fig``, its height, verdict colours, whole-year or month ticks and plain panel titles.

    ``data`` is the DataFrame the chart was drawn from (its ``source_id`` column is cited in short, on at most two
    lines; ``cz.sources(data)`` lists the full references), or the source line itself as text. ``note`` adds a
    sentence after the sources, e.g. how a figure was computed. Returns the figure, so that
    ``cz.finish(px.line(...), df).show()`` reads in one line.
    """
    text = data if isinstance(data, str) else source_line(data)
    if note:
        text += "<br>" + note
    lines = text.count("<br>") + 1
    _cite_source_ids(fig)
    _wrap_legend_names(fig)
    _plain_panel_titles(fig)
    fig.add_annotation(
        text=text, xref="paper", yref="paper", x=1, y=0, xanchor="right", yanchor="top",
        yshift=-_AXIS_ROOM, showarrow=False, align="left", font=dict(size=11, color="#555"),
        name=SOURCE_LINE,
    )
    bottom = _AXIS_ROOM + 12 + lines * _SOURCE_LINE_HEIGHT
    fig.update_layout(height=fig.layout.height or max(HEIGHT, _TOP_ROOM + _legend_height(fig) + bottom),
                      margin=dict(b=bottom))
    _colour_verdicts(fig)
    _whole_year_ticks(fig)
    _month_ticks(fig)
    return fig


def dropdown(fig: go.Figure, everything: str = "Show all", keep: tuple[str, ...] = (),
             start: str | None = None) -> go.Figure:
    """A menu above the chart that shows one group at a time: one choice per colour of the chart, and ``everything``.

    plotly express names each line after its colour first ("Ukraine, Davies Table 17"), so a choice shows every
    trace whose name starts with it. Traces whose name starts with a text in ``keep`` (e.g. ``("USSR",)``) stay
    visible under every choice, as a yardstick. ``start`` names the group shown first (e.g. ``"horses"``): a busy
    chart opens on the lines its text talks about, and the menu offers the rest.
    """
    groups = list(dict.fromkeys(_group(trace.name) for trace in fig.data if trace.name))
    kept = tuple(keep)
    choices = [dict(label=everything, method="update", args=[{"visible": [True] * len(fig.data)}])]
    choice_of = {None: 0}  # which choice shows each group (None: everything)
    for group in groups:
        if kept and group.startswith(kept):
            continue
        visible = [_group(trace.name or "") == group or bool(kept) and (trace.name or "").startswith(kept)
                   for trace in fig.data]
        label = f"{group} and {' and '.join(kept)}" if kept else group
        choice_of[group] = len(choices)
        choices.append(dict(label=label, method="update", args=[{"visible": visible}]))
    if start not in choice_of:
        raise DataError(f"The chart has no group called {start!r}. Its groups are: {', '.join(groups)}.")
    active = choice_of[start]
    for trace, visible in zip(fig.data, choices[active]["args"][0]["visible"]):
        trace.visible = visible
    fig.update_layout(updatemenus=[dict(buttons=choices, active=active, x=1, xanchor="right", y=1, yanchor="bottom",
                                        pad=dict(b=4), font=dict(size=12))])
    return fig


def _group(name: str) -> str:
    """The colour group of a trace named by plotly express ("Ukraine, Davies Table 17" → "Ukraine")."""
    return name.replace("<br>", " ").split(", ")[0]


def event_line(fig: go.Figure, label: str) -> go.Figure:
    """Mark the event whose ``label`` in ``events.csv`` contains ``label`` (e.g. "Dizzy") with a dotted line.

    The line's label sits above the plot, never over the data. On a chart of years the line stands at the year.
    """
    events = load("events")
    found = events[events["label"].str.contains(label, case=False, regex=False)]
    if found.empty:
        raise DataError(f"No event in events.csv has a label containing {label!r}. The labels are: "
                        + "; ".join(events["label"]) + ".")
    event = found.iloc[0]
    x = event["date"] if len(str(event["date"])) == 10 and not _years_axis(fig) else int(event["year"])
    fig.add_shape(type="line", xref="x", yref="paper", x0=x, x1=x, y0=0, y1=1,
                  line=dict(color="#555", width=1.5, dash="dot"))
    marked = sum(1 for shape in fig.layout.shapes if shape.line.dash == "dot") - 1
    fig.add_annotation(x=x, xref="x", y=1, yref="paper", yanchor="bottom", showarrow=False,
                       text=event["label"], font=dict(size=11, color="#444"), yshift=2 + 14 * (marked % 2))
    return fig


def _x_values(fig: go.Figure) -> list:
    """Every x value the chart plots, across its traces."""
    return [x for trace in fig.data if getattr(trace, "x", None) is not None for x in trace.x]


def _years_axis(fig: go.Figure) -> bool:
    xs = _x_values(fig)
    return bool(xs) and all(isinstance(x, numbers.Real) for x in xs)


def _colour_verdicts(fig: go.Figure) -> None:
    """A trace named after a verdict takes that verdict's colour, whatever plotly express chose."""
    for trace in fig.data:
        colour = VERDICT_COLOURS.get(str(trace.name))
        if colour and hasattr(trace, "marker"):
            trace.marker.color = colour
            if getattr(trace, "line", None) is not None and trace.type == "scatter":
                trace.line.color = colour


def _cite_source_ids(fig: go.Figure) -> None:
    """A chart coloured by ``source_id``, or with it in ``hover_data``, names each source in the legend and on hover by
    a short citation ("Davies 1980, pp. 442-443"), not by the table's id ("collectivisation_davies_1980_t17_via_martens"),
    which a student cannot read."""
    table = load("sources").set_index("source_id")
    ids = set(table.index)

    def cite(source_id: str) -> str:
        return _short_citation(table.loc[source_id])

    for trace in fig.data:
        for source_id in {part for part in (trace.name or "").split(", ") if part in ids}:
            trace.name = trace.name.replace(source_id, cite(source_id))
            if trace.hovertemplate:
                trace.hovertemplate = trace.hovertemplate.replace(f"={source_id}<", f"={cite(source_id)}<")
        hovered = re.search(r"source_id=%\{customdata\[(\d+)\]\}", trace.hovertemplate or "")
        if hovered and trace.customdata is not None:
            column = int(hovered.group(1))
            rows = [[cite(value) if index == column and isinstance(value, str) and value in ids else value
                     for index, value in enumerate(row)] for row in trace.customdata]
            trace.customdata = None  # plotly compares old and new values, which fails on a missing (NA) value
            trace.customdata = rows
            trace.hovertemplate = trace.hovertemplate.replace("source_id=%{", "source=%{")


def _wrap_legend_names(fig: go.Figure) -> None:
    """Sources and estimates have long names: wrap them, so that the legend does not squeeze the plot."""
    for trace in fig.data:
        if trace.name and len(trace.name) > _LEGEND_WIDTH and "<br>" not in trace.name:
            trace.name = "<br>".join(textwrap.wrap(trace.name, _LEGEND_WIDTH))


def _plain_panel_titles(fig: go.Figure) -> None:
    """Plotly express titles each panel of a faceted chart "column=value" ("species=cattle"): keep only the value,
    which is what a student reads the panel for, without each notebook having to strip it."""
    for annotation in fig.layout.annotations:
        name, equals, value = (annotation.text or "").partition("=")
        if equals and annotation.name is None and annotation.xref == "paper" and name and "<" not in name:
            annotation.text = value


def _legend_height(fig: go.Figure) -> int:
    """About how many pixels plotly needs to show the whole legend. Taller than the plot area, a legend scrolls, and a
    student does not see its last entries; ``finish`` makes a figure without a height of its own tall enough."""
    entries = [trace.name for trace in fig.data if trace.name and trace.showlegend is not False]
    if not entries:
        return 0
    return _LEGEND_TITLE + sum(_LEGEND_LINE * (name.count("<br>") + 1) + _LEGEND_GAP for name in entries)


def _whole_year_ticks(fig: go.Figure) -> None:
    """Years on an x axis are whole numbers: never let plotly print 1929.5."""
    xs = _x_values(fig)
    if not xs or not all(isinstance(x, numbers.Real) and float(x).is_integer() and 1800 < x < 2100 for x in xs):
        return
    span = max(xs) - min(xs)
    fig.update_xaxes(tickformat="d", dtick=max(1, math.ceil(span / 12)))


def _month_ticks(fig: go.Figure) -> None:
    """Bars that each fill a month (``xperiod="M1"``) get one label per month, under its middle: left alone, plotly
    may label every other week ("Jan 5, Jan 19"), which a reader takes for the dates of the counts."""
    if any(getattr(trace, "xperiod", None) == "M1" for trace in fig.data):
        fig.update_xaxes(dtick="M1", tickformat="%b %Y", ticklabelmode="period")
