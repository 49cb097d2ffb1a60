"""Load the series' tidy tables, and cite them.

Every figure in ``data/`` lives in one CSV row with a ``source_id``; ``data/datapackage.json`` describes every
table (its columns, their types and units) and is the one list of tables this module knows. Loading goes through
that description so that a damaged file is caught here, with a message that names the file, the line and the
column, instead of surfacing later as a puzzling chart.

Only the standard library and pandas are imported: ``import collectivisation`` must stay quick in a notebook.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import textwrap
from functools import lru_cache
from pathlib import Path

import pandas as pd

#: Where the CSVs live. The package is installed "editable" from the project folder, so the data sit beside it;
#: COLLECTIVISATION_DATA may point elsewhere (a teacher's own copy of the data, or a test's damaged copy).
DATA_DIR = Path(os.environ.get("COLLECTIVISATION_DATA", Path(__file__).resolve().parent.parent / "data"))


class DataError(Exception):
    """A table is missing, unknown or malformed. The message says which, and what to do."""


@lru_cache(maxsize=None)
def _datapackage(data_dir: Path) -> dict:
    path = data_dir / "datapackage.json"
    if not path.is_file():
        raise DataError(
            f"Cannot find the data description {path}. The series expects its data/ folder beside the "
            "collectivisation package: install it from the project folder with `pip install -e .`."
        )
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise DataError(f"{path} is not valid JSON (line {error.lineno}): {error.msg}.") from None


def _resources() -> dict[str, dict]:
    """The tables of the data package (the essay, a text, is described there too but is not a table)."""
    return {resource["name"]: resource for resource in _datapackage(DATA_DIR)["resources"] if "schema" in resource}


def table_names() -> list[str]:
    """The names ``load`` accepts, in the order the data package lists them."""
    return list(_resources())


def load(name: str) -> pd.DataFrame:
    """Return the table ``name`` as a tidy pandas DataFrame: one figure per row, with its unit and source.

    Each call returns a fresh copy, so a student who changes the DataFrame cannot change what the next cell loads.
    """
    resources = _resources()
    if not isinstance(name, str) or name not in resources:
        guess = difflib.get_close_matches(str(name), resources, n=1)
        hint = f" Did you mean {guess[0]!r}?" if guess else ""
        raise DataError(f"There is no table called {name!r}.{hint} The tables are: {', '.join(resources)}.")
    return _read_table(DATA_DIR, name).copy()


@lru_cache(maxsize=None)
def _read_table(data_dir: Path, name: str) -> pd.DataFrame:
    resource = {r["name"]: r for r in _datapackage(data_dir)["resources"]}[name]
    path = data_dir / resource["path"]
    if not path.is_file():
        raise DataError(f"The table {name!r} should be in {path}, but that file is missing.")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise DataError(f"{path.name} cannot be read as a CSV file: {error}") from None
    fields = resource["schema"]["fields"]
    _check_columns(path, list(raw.columns), [field["name"] for field in fields])
    return pd.DataFrame({field["name"]: _convert(path, raw[field["name"]], field) for field in fields})


def _check_columns(path: Path, found: list[str], expected: list[str]) -> None:
    missing = [column for column in expected if column not in found]
    extra = [column for column in found if column not in expected]
    if missing or extra:
        problems = []
        if missing:
            problems.append(f"missing column(s) {', '.join(missing)}")
        if extra:
            problems.append(f"unexpected column(s) {', '.join(extra)}")
        raise DataError(
            f"{path.name} does not match its description in datapackage.json: {'; '.join(problems)}. "
            f"The columns should be: {', '.join(expected)}."
        )


_PARSERS = {
    "integer": lambda cells: pd.to_numeric(cells, errors="coerce").astype("Float64"),
    "number": lambda cells: pd.to_numeric(cells, errors="coerce"),
    "date": lambda cells: pd.to_datetime(cells, format="%Y-%m-%d", errors="coerce"),
    "yearmonth": lambda cells: pd.to_datetime(cells, format="%Y-%m", errors="coerce"),
}
_KINDS = {"integer": "a whole number", "number": "a number", "date": "a date (YYYY-MM-DD)",
          "yearmonth": "a month (YYYY-MM)"}


def _convert(path: Path, cells: pd.Series, field: dict) -> pd.Series:
    """Turn one column of text cells into the field's type, naming the first cell that does not fit."""
    name, kind = field["name"], field.get("type", "string")
    blank = cells.str.strip() == ""
    if field.get("constraints", {}).get("required") and blank.any():
        line = int(blank.idxmax()) + 2  # +1 for the header, +1 because editors count lines from 1
        raise DataError(f"{path.name}, line {line}: the column {name!r} is empty, but every row needs a value.")
    if kind not in _PARSERS:
        return cells.where(~blank, None).astype("string")
    values = _PARSERS[kind](cells.where(~blank, None))
    bad = values.isna() & ~blank
    if kind == "integer":
        bad |= values.notna() & (values % 1 != 0)
    if bad.any():
        line = int(bad.idxmax()) + 2
        raise DataError(f"{path.name}, line {line}, column {name!r}: {cells[bad.idxmax()]!r} is not {_KINDS[kind]}.")
    if kind == "integer":
        return values.astype("Int64")
    if kind in ("date", "yearmonth"):
        # Checked, but kept as ISO text: "1930-03-01" is what students type to filter, and plotly reads it as a date.
        return cells.where(~blank, None).astype("string")
    return values


def essay() -> str:
    """The student essay under examination, exactly as it was written (errors and odd spacing included)."""
    return (DATA_DIR / "essay.txt").read_text(encoding="utf-8")


def sources(data: pd.DataFrame | None = None) -> pd.DataFrame:
    """The table of sources: who wrote each figure's source, where, which table or page, and where we read it.

    Given a table of figures (``cz.sources(grain)``), only the sources behind those figures, in the order they first
    appear: the full references that a chart's short source line stands for.
    """
    table = load("sources")
    if data is None:
        return table
    ids = _source_ids(data)
    return table.set_index("source_id").loc[ids].reset_index()


def citation(source_id: str) -> str:
    """A short citation for captions, such as ``R.W. Davies (1980), Table 17``."""
    return _cite(sources().set_index("source_id"), source_id)


def _cite(table: pd.DataFrame, source_id: str, name: str = "author") -> str:
    """``Author (year), locator``; with ``name="title"``, the work instead of its author."""
    if source_id not in table.index:
        raise DataError(f"The source id {source_id!r} is not in sources.csv.")
    row = table.loc[source_id]
    year = row["year"] if pd.notna(row["year"]) else "n.d."
    locator = f", {row['locator']}" if pd.notna(row["locator"]) else ""
    return f"{row[name]} ({year}){locator}"


def citations(data: pd.DataFrame) -> list[str]:
    """The short citations of every source behind ``data``, in the order they first appear.

    ``data`` needs its ``source_id`` column (or ``source_ids``, several ids separated by ";", as in the claims).
    """
    table = sources().set_index("source_id")
    return [_cite(table, source_id) for source_id in _source_ids(data)]


def _source_ids(data: pd.DataFrame) -> list[str]:
    """The source ids behind ``data``, each once, in the order they first appear; unknown ids are named."""
    ids = []
    for cell in data[_source_column(data)].dropna():
        ids.extend(part.strip() for part in str(cell).split(";") if part.strip())
    ids = list(dict.fromkeys(ids))
    known = set(load("sources")["source_id"])
    unknown = [source_id for source_id in ids if source_id not in known]
    if unknown:
        raise DataError(f"The source id {unknown[0]!r} is not in sources.csv.")
    return ids


#: Routes by which a figure reached this project that a teacher cannot cite as they stand: the figure should be
#: checked in the printed work before it is relied on. An unauthorised copy of a scholarly book is here too: the work
#: is scholarly, but the copy read cannot be checked against print.
WEAK_ROUTES = ("reference work", "partisan work quoting a scholarly work", "blog or forum", "uncited",
               "unauthorised copy")


def route_quality(data: pd.DataFrame) -> pd.Series:
    """For each row of ``data``: "weak route" where its source came through a route in ``WEAK_ROUTES``, else
    "citable route" (an official publication, a scholar's own work or one scholar quoting another, the press, or a web
    page that names the scholarly work it cites: a route a teacher can cite). Use it to mark points on a chart, e.g.
    ``symbol=cz.route_quality(table)``."""
    routes = data[_source_column(data)].map(load("sources").set_index("source_id")["route"])
    return routes.isin(WEAK_ROUTES).map({True: "weak route", False: "citable route"}).rename("route quality")


def _source_column(data) -> str:
    column = next((name for name in ("source_id", "source_ids") if isinstance(data, pd.DataFrame)
                   and name in data.columns), None)
    if column is None:
        raise DataError("To cite a table it needs its 'source_id' column: keep it when you filter or select columns.")
    return column


_INITIALS_AND_NAMES = re.compile(r"^(?:(?:[A-Z][a-z]+|[A-Z]\.(?:[A-Z]\.)*|[A-Z][a-z]*\.)\s+)+([A-Z][\w'\-]+)$")
_LOCATOR = re.compile(r"\b(?:Table|table)\s+[\dIVX][\w.\-]*|\bpp?\.\s*[\d\-\u2013]+|\bn\.\s*\d+")


def short_citation(source_id: str) -> str:
    """``Davies 1980, Table 17``: surname(s), year and table or page, short enough for the foot of a chart."""
    return _short_citation(sources().set_index("source_id").loc[source_id])


def _short_citation(row: pd.Series) -> str:
    names = re.split(r"\s*(?:&|\band\b)\s*", re.split(r"[(;,]", str(row["author"]))[0].strip())
    surnames = [(match.group(1) if (match := _INITIALS_AND_NAMES.match(name)) else name) for name in names if name]
    if not surnames:  # an unsigned page: its title stands for the author
        surnames = [textwrap.shorten(str(row["title"]), 30, placeholder="…")]
    year = str(row["year"]) if pd.notna(row["year"]) else "n.d."
    # A reference work's page numbers are those of the books it cites ("Wikipedia, p. 401" would send a reader to
    # a page Wikipedia does not have), so only its name and year are given.
    locator = None if row.get("route") == "reference work" else _LOCATOR.search(str(row["locator"]))
    return " & ".join(surnames) + f" {year}" + (f", {locator.group(0)}" if locator else "")


def show_quotes(data: pd.DataFrame, width: int = 100) -> None:
    """Print rows of the ``quotations`` table as a historian quotes: every word, then who said it, when, whether
    these are the speaker's own words, and where this project read them.

    A DataFrame's display cuts long text short, and a quotation cut short can say something its author did not.
    """
    needed = ["speaker", "year", "quote", "kind", "source_id"]
    if not isinstance(data, pd.DataFrame) or not set(needed) <= set(data.columns):
        raise DataError("show_quotes needs rows of the quotations table with their columns "
                        f"{', '.join(needed)}: filter the rows as you like, but keep those columns.")
    if data.empty:
        print("No statements match: check the spelling of what you filtered on.")
    table = sources().set_index("source_id")
    for row in data.itertuples():
        when = "" if pd.isna(row.year) else f", {row.year}"
        print(textwrap.fill(f"\u201c{row.quote}\u201d", width, break_on_hyphens=False))
        print(f"    \u2014 {row.speaker}{when} ({row.kind})")
        work = _cite(table, row.source_id, name="title")
        weak = (f" [{table.loc[row.source_id, 'route']}: a weak route, check it in print]"
                if table.loc[row.source_id, "route"] in WEAK_ROUTES else "")
        print(textwrap.fill(f"in: {work}{weak}", width, initial_indent="      ", subsequent_indent="        ",
                            break_on_hyphens=False))
        print()


def source_line(data: pd.DataFrame, width: int = 110, lines: int = 2) -> str:
    """'Sources: Davies 1980, Table 17; …' for the foot of a chart: short citations on at most ``lines`` lines.

    A chart's frame is for the chart. Past the room, the line ends by saying how many more sources there are and
    how to list them all in full (``cz.sources(table)``).
    """
    table = sources().set_index("source_id")
    rows = table.loc[_source_ids(data)]
    weak = rows["route"].isin(WEAK_ROUTES)
    short = list(dict.fromkeys(_short_citation(row) + ("\u2020" if is_weak else "")
                               for (_, row), is_weak in zip(rows.iterrows(), weak)))
    label = "Source: " if len(short) == 1 else "Sources: "
    if weak.any():
        warning = "<br>\u2020 a weak route (reference work, blog, uncited page, partisan or unofficial copy): check it in print."
    else:
        warning = ""
    for shown in range(len(short), 0, -1):
        rest = len(short) - shown
        more = f"; and {rest} more: cz.sources(…) lists them in full." if rest else ""
        wrapped = textwrap.wrap((label + "; ".join(short[:shown]) + more).rstrip(".") + ".", width)
        if len(wrapped) <= lines:
            return "<br>".join(wrapped) + warning
    return "<br>".join(textwrap.wrap(f"{len(short)} sources: cz.sources(…) lists them in full.", width)) + warning
