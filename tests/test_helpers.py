"""The helper package: loading from anywhere, clear errors for bad names and damaged files, citations, chart style."""

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import plotly.express as px
import pytest

import collectivisation as cz
from collectivisation import data as data_module

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A copy of data/ that a test may damage; the package reads it instead of the real one."""
    copy = tmp_path / "data"
    shutil.copytree(ROOT / "data", copy)
    monkeypatch.setattr(data_module, "DATA_DIR", copy)
    return copy


def first_numeric_table():
    """A table from the data package with a 'value' column, and its CSV path."""
    package = json.loads((ROOT / "data" / "datapackage.json").read_text())
    resource = next(r for r in package["resources"] if "value" in [f["name"] for f in r["schema"]["fields"]])
    return resource["name"], resource["path"]


def test_every_table_loads_as_a_tidy_dataframe():
    for name in cz.table_names():
        table = cz.load(name)
        assert isinstance(table, pd.DataFrame) and len(table) > 0, name
        if "value" in table.columns:
            assert pd.api.types.is_float_dtype(table["value"]), f"{name}: value must be numeric"
            assert {"unit", "source_id"} <= set(table.columns), name


def test_load_works_from_any_working_directory(tmp_path):
    """A student may open a notebook from anywhere; the package must still find its data."""
    name, _ = first_numeric_table()
    code = f"import collectivisation as cz; print(len(cz.load({name!r})))"
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert int(result.stdout) == len(cz.load(name))


def test_each_load_is_a_fresh_copy():
    name, _ = first_numeric_table()
    first = cz.load(name)
    first["value"] = -1.0
    assert (cz.load(name)["value"] != -1.0).any()


@pytest.mark.parametrize("wrong", ["grian", "no such table", "", None, 42, ["grain"]])
def test_unknown_table_names_get_a_message_listing_the_tables(wrong):
    with pytest.raises(cz.DataError) as error:
        cz.load(wrong)
    assert "There is no table called" in str(error.value)
    assert "sources" in str(error.value), "the message should list the tables that exist"


def test_a_near_miss_gets_a_suggestion():
    name, _ = first_numeric_table()
    with pytest.raises(cz.DataError, match=f"Did you mean '{name}'"):
        cz.load(name[:-1])


def test_a_value_that_is_not_a_number_is_named_with_file_line_and_column(data_copy):
    name, path = first_numeric_table()
    csv = data_copy / path
    lines = csv.read_text().splitlines()
    header = lines[0].split(",")
    row = lines[3].split(",")  # the third data row: line 4 of the file
    row[header.index("value")] = "lots"
    lines[3] = ",".join(row)
    csv.write_text("\n".join(lines) + "\n")
    with pytest.raises(cz.DataError) as error:
        cz.load(name)
    message = str(error.value)
    assert csv.name in message and "line 4" in message and "'value'" in message and "'lots'" in message


def test_a_missing_column_is_named(data_copy):
    name, path = first_numeric_table()
    csv = data_copy / path
    table = pd.read_csv(csv, dtype=str, keep_default_na=False).drop(columns="unit")
    table.to_csv(csv, index=False)
    with pytest.raises(cz.DataError, match="missing column\\(s\\) unit"):
        cz.load(name)


def test_a_missing_file_is_named(data_copy):
    name, path = first_numeric_table()
    (data_copy / path).unlink()
    with pytest.raises(cz.DataError, match="missing"):
        cz.load(name)


def test_an_empty_source_id_is_refused(data_copy):
    name, path = first_numeric_table()
    csv = data_copy / path
    table = pd.read_csv(csv, dtype=str, keep_default_na=False)
    table.loc[0, "source_id"] = ""
    table.to_csv(csv, index=False)
    with pytest.raises(cz.DataError, match="line 2: the column 'source_id' is empty"):
        cz.load(name)


def test_a_broken_data_description_is_reported(data_copy):
    (data_copy / "datapackage.json").write_text("{not json")
    with pytest.raises(cz.DataError, match="not valid JSON"):
        cz.load("sources")


def test_citations_name_the_author_year_and_table_of_each_source():
    name, _ = first_numeric_table()
    table = cz.load(name)
    sources = cz.sources().set_index("source_id")
    cited = cz.citations(table)
    assert len(cited) == table["source_id"].nunique()
    for source_id, text in zip(dict.fromkeys(table["source_id"]), cited):
        assert text.startswith(sources.loc[source_id, "author"]), text
        assert sources.loc[source_id, "locator"] in text


def test_citing_a_table_without_its_source_column_explains_what_to_keep():
    name, _ = first_numeric_table()
    with pytest.raises(cz.DataError, match="keep it when you filter"):
        cz.citations(cz.load(name)[["value"]])


def test_show_quotes_prints_every_word_with_speaker_and_work(capsys):
    """A quotation cut short can say what its author did not: every word is printed, then who and where."""
    quotations = cz.load("quotations")
    sources = cz.sources().set_index("source_id")
    cz.show_quotes(quotations)
    printed = " ".join(capsys.readouterr().out.split())
    for row in quotations.itertuples():
        assert " ".join(row.quote.split()) in printed, row.quote_id
        assert f"{row.speaker}" in printed and " ".join(sources.loc[row.source_id, "title"].split()) in printed
    weak = sources["route"].isin(cz.WEAK_ROUTES)
    marked = printed.count(": a weak route, check it in print]")
    assert marked == quotations["source_id"].map(weak).sum() > 0


def test_show_quotes_explains_an_empty_filter_and_a_wrong_table(capsys):
    quotations = cz.load("quotations")
    cz.show_quotes(quotations[quotations.question == "Was the famine intented?"])
    assert "No statements match" in capsys.readouterr().out
    with pytest.raises(cz.DataError, match="keep those columns"):
        cz.show_quotes(quotations[["quote"]])
    with pytest.raises(cz.DataError, match="quotations table"):
        cz.show_quotes("Snyder")


def test_finish_adds_the_source_line_and_whole_year_ticks():
    table = pd.DataFrame({"year": [1928, 1929, 1930], "value": [1.0, 2.0, 3.0]})
    fig = cz.finish(px.line(table, x="year", y="value"), "Source: a test.")
    assert [a.text for a in fig.layout.annotations] == ["Source: a test."]
    assert fig.layout.xaxis.tickformat == "d" and fig.layout.xaxis.dtick == 1
    assert fig.layout.template.layout.colorway == tuple(cz.PALETTE)


def test_a_faceted_charts_panels_are_titled_by_their_value_alone():
    """Plotly express titles panels "species=cattle"; a student should read "cattle" (notebook 05's livestock chart)."""
    table = pd.DataFrame({"year": [1929, 1929], "value": [68.1, 34.0], "species": ["cattle", "horses"]})
    fig = cz.finish(px.scatter(table, x="year", y="value", facet_col="species"), "Source: a test.")
    assert [a.text for a in fig.layout.annotations] == ["cattle", "horses", "Source: a test."]


def test_monthly_bars_are_labelled_once_a_month():
    """Notebook 03's unrest chart: with one month per bar, plotly alone may label every other week."""
    table = pd.DataFrame({"date": ["1930-01", "1930-02", "1930-03"], "value": [402, 1048, 6528]})
    fig = px.bar(table, x="date", y="value").update_traces(xperiod="M1", xperiodalignment="middle")
    axis = cz.finish(fig, "Source: a test.").layout.xaxis
    assert (axis.dtick, axis.tickformat, axis.ticklabelmode) == ("M1", "%b %Y", "period")


def test_a_chart_coloured_by_source_id_names_each_source_by_its_short_citation():
    """Notebook 02's chart of 1930 named its lines 'collectivisation_stalin_1930_dizzy'; a student reads a citation."""
    days = cz.load("collectivisation_monthly").query("region == 'USSR'")
    fig = cz.finish(px.line(days, x="date", y="value", color="source_id"), days)
    names = [trace.name for trace in fig.data]
    assert "Stalin 1930, pp. 197-205" in names and not any("_" in name for name in names)
    assert not any("collectivisation_" in trace.hovertemplate for trace in fig.data)
    unknown = days.assign(day=pd.array([pd.NA] * len(days), dtype="string"))  # a hover column with missing values
    hovered = cz.finish(px.scatter(unknown, x="date", y="value", hover_data=["day", "source_id"]), days).data[0]
    assert "source=%{customdata[1]}" in hovered.hovertemplate
    assert "Stalin 1930, pp. 197-205" in {row[1] for row in hovered.customdata}


def test_the_palette_is_the_colour_blind_safe_okabe_ito_set_then_two_more():
    """Okabe & Ito's eight first; a ninth and tenth kind of figure get colours of their own rather than the first
    one's again (notebook 02's chart once drew two kinds of figure in the same blue)."""
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"}
    assert set(cz.PALETTE[:8]) == okabe_ito
    assert len(set(cz.PALETTE)) == len(cz.PALETTE) == 10


def test_the_essay_is_the_one_described_in_the_data_package():
    """datapackage.json records the essay's SHA-256, taken from the original in shared/ when it was added."""
    package = json.loads((ROOT / "data" / "datapackage.json").read_text())
    (resource,) = [r for r in package["resources"] if r["path"] == "essay.txt"]
    digest = hashlib.sha256((ROOT / "data" / "essay.txt").read_bytes()).hexdigest()
    assert resource["hash"] == f"sha256:{digest}", "data/essay.txt has been changed: it must stay verbatim"
    assert "250. 4" in cz.essay(), "the odd formatting is part of the lesson and must be kept"


@pytest.mark.skipif(not (ROOT.parent / "shared" / "essay.txt").exists(),
                    reason="no shared/ folder beside this checkout (only the project's own machines have it)")
def test_the_essay_matches_the_original_in_shared():
    assert cz.essay() == (ROOT.parent / "shared" / "essay.txt").read_text(encoding="utf-8")


def test_a_notebook_import_loads_none_of_the_maintainer_tools():
    """``import collectivisation`` is what every lesson runs first: it must not pull in the build, grading and site
    machinery (nbformat, nbclient, nbconvert, collectivisation.tools), which would slow every notebook down."""
    code = ("import sys, collectivisation; "
            "print(' '.join(m for m in sys.modules if m.split('.')[0] in {'nbformat', 'nbclient', 'nbconvert', "
            "'jupyter_client'} or m.startswith('collectivisation.tools')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert not loaded, f"import collectivisation also loads: {loaded}"


def test_a_kernel_shows_its_first_chart_without_compiling_a_grammar_no_notebook_uses(monkeypatch):
    """Plotly imports nbformat to show a figure, and nbformat's jsonschema would compile rfc3987-syntax's grammar
    (two seconds) in every lesson. Outside a kernel the full check stays."""
    code = "import sys, ipykernel, collectivisation, nbformat; print(sys.modules.get('rfc3987_syntax'))"
    in_a_kernel = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert in_a_kernel.strip() == "None"
    for module in ("ipykernel", "jsonschema", "rfc3987_syntax"):
        monkeypatch.delitem(sys.modules, module, raising=False)
    cz.charts._skip_a_grammar_no_notebook_uses()
    assert "rfc3987_syntax" not in sys.modules, "outside a kernel nothing is marked absent"


def test_the_test_processes_skip_that_grammar_too():
    """``-p collectivisation.tools.pytest_plugin`` (pyproject.toml) runs before nbval imports nbformat."""
    assert sys.modules.get("rfc3987_syntax", "imported") is None


@pytest.mark.parametrize("name", ["famine", "grain", "livestock", "industry", "collectivisation_yearly"])
def test_a_charts_source_line_takes_at_most_two_lines_and_points_to_the_full_references(name):
    table = cz.load(name)
    line = cz.source_line(table).split("<br>\u2020")[0]  # the citations, without the note on weak routes
    assert line.count("<br>") <= 1, line
    listed = len(cz.sources(table))
    assert listed == table["source_id"].nunique()
    shown = [cz.data.short_citation(source_id) in line.replace("<br>", " ") for source_id in table["source_id"]]
    weak = cz.route_quality(table) == "weak route"
    assert weak.any() == ("\u2020 a weak route" in cz.source_line(table)), "weak routes are marked, and only they"
    assert all(shown) or "cz.sources" in line, "a shortened source line must say where the full list is"


def test_a_short_citation_gives_a_page_only_where_the_page_is_the_works_own():
    """A Wikipedia article that cites Davies & Wheatcroft, p. 401, has no page 401 of its own."""
    assert cz.data.short_citation("famine_wp2008_soviet_famine") == "Wikipedia editors n.d."
    assert cz.data.short_citation("collectivisation_davies_1980_t17_via_martens").startswith("Davies 1980, pp.")


def test_a_dropdown_offers_each_colour_and_keeps_the_yardstick_visible():
    frame = pd.DataFrame({"x": [1, 2, 1, 2, 1, 2], "y": [1, 2, 3, 4, 5, 6], "region": ["USSR"] * 2 + ["Ukraine"] * 2
                          + ["Kazakhstan"] * 2})
    fig = cz.dropdown(px.line(frame, x="x", y="y", color="region"), keep=("USSR",))
    choices = {button.label: button.args[0]["visible"] for button in fig.layout.updatemenus[0].buttons}
    assert choices == {"Show all": [True, True, True], "Ukraine and USSR": [True, True, False],
                       "Kazakhstan and USSR": [True, False, True]}


def test_a_dropdown_can_open_on_one_group_and_a_wrong_group_gets_the_list_of_groups():
    """Extension 05's index chart draws 17 lines; it opens on the horses its text describes, the menu showing so."""
    frame = pd.DataFrame({"x": [1, 2] * 3, "y": [1, 2, 3, 4, 5, 6], "species": ["horses"] * 2 + ["cattle"] * 4,
                          "source": ["Stalin"] * 4 + ["Martens"] * 2})
    fig = cz.dropdown(px.line(frame, x="x", y="y", color="species", line_dash="source"), start="horses")
    assert [trace.visible for trace in fig.data] == [True, False, False]
    menu = fig.layout.updatemenus[0]
    assert menu.buttons[menu.active].label == "horses"
    assert [trace.visible for trace in cz.dropdown(fig).data] == [True, True, True]
    with pytest.raises(cz.DataError, match="groups are: horses, cattle"):
        cz.dropdown(fig, start="pigs")


def test_an_event_line_names_the_event_and_an_unknown_label_gets_the_list_of_labels():
    fig = cz.event_line(px.line(x=["1930-01-01", "1930-06-01"], y=[1, 2]), "Dizzy")
    assert fig.layout.shapes[0].x0 == "1930-03-02" and "Dizzy" in fig.layout.annotations[0].text
    with pytest.raises(cz.DataError, match="labels are"):
        cz.event_line(fig, "no such event")


def test_every_finished_chart_has_its_own_height_and_verdicts_keep_their_colours():
    counts = pd.DataFrame({"verdict": list(cz.VERDICT_COLOURS), "claims": [1, 2, 3, 4]})
    fig = cz.finish(px.bar(counts, x="verdict", y="claims", color="verdict"), "Source: the ledger.")
    assert fig.layout.height, "JupyterLab draws a figure without its own height only 360 px tall"
    assert {trace.name: trace.marker.color for trace in fig.data} == cz.VERDICT_COLOURS


def test_the_annotated_essay_marks_every_claim_in_its_verdicts_colour_and_keeps_every_word():
    import html
    import re

    markup = cz.annotated_essay().html
    claims = cz.load("claims")
    for row in claims.itertuples():
        assert f'id="claim-{row.claim_id}"' in markup, f"{row.claim_id} has no note"
        assert f'href="#claim-{row.claim_id}"' in markup, f"{row.claim_id} is not marked in the essay"
    marked = re.findall(r'<mark[^>]*border-bottom:3px solid (#\w+)', markup)
    assert set(marked) <= set(cz.VERDICT_COLOURS.values()) and len(marked) >= len(claims)
    essay_part = markup.split("<ol")[0]
    text = html.unescape(re.sub(r"<sup>.*?</sup>|<[^>]+>", "", essay_part.split("</p>", 1)[1]))
    assert text == cz.essay(), "the annotated essay must hold the essay exactly as written"
