"""The evidence base: every table described and valid, every figure sourced, every claim quoted and checked."""

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from frictionless import Package

import collectivisation as cz

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
PACKAGE = json.loads((DATA / "datapackage.json").read_text())
TABLES = [r["name"] for r in PACKAGE["resources"] if r["path"].endswith(".csv") and r["name"] not in ("sources", "claims")]
VERDICTS = {"supported", "partly supported", "contradicted", "not checkable"}


def test_frictionless_finds_the_data_package_valid():
    """Types, required cells, enums, patterns and the essay's hash, checked by the Frictionless reference tool."""
    report = Package(str(DATA / "datapackage.json")).validate()
    problems = [f"{task.name}: {error.message}" for task in report.tasks for error in task.errors]
    assert report.valid, "\n".join(problems[:20])


def test_every_csv_in_data_is_described():
    described = {r["path"] for r in PACKAGE["resources"]}
    on_disk = {path.name for path in DATA.glob("*.csv")}
    assert on_disk <= described, f"not in datapackage.json: {sorted(on_disk - described)}"


def test_every_column_has_a_description():
    for resource in PACKAGE["resources"]:
        for field in resource.get("schema", {}).get("fields", []):
            assert field.get("description"), f"{resource['name']}.{field['name']} has no description"


@pytest.mark.parametrize("name", TABLES)
def test_every_figure_has_a_unit_and_a_source_that_resolves(name):
    table = cz.load(name)
    known = set(cz.sources()["source_id"])
    if "value" in table.columns:
        assert table["value"].notna().all() and table["unit"].notna().all(), name
    unknown = set(table["source_id"]) - known
    assert not unknown, f"{name}: source ids not in sources.csv: {sorted(unknown)}"


@pytest.mark.parametrize("name", TABLES)
def test_every_table_has_a_year_or_a_date(name):
    assert {"year", "date", "year_start"} & set(cz.load(name).columns), name


def test_every_source_says_where_it_was_read_and_which_table_or_page():
    sources = cz.sources()
    assert sources["source_id"].is_unique
    for column in ("author", "title", "locator", "found_at"):
        missing = sources.loc[sources[column].isna(), "source_id"].tolist()
        assert not missing, f"sources without {column}: {missing}"


def test_every_source_is_used():
    """Each source backs a figure or a claim, or corroborates one (named in a figure's note)."""
    used, notes = set(), ""
    for name in TABLES:
        table = cz.load(name)
        used |= set(table["source_id"])
        notes += " ".join(table["note"].dropna()) if "note" in table.columns else ""
    used |= {source_id for source_id in cz.sources()["source_id"] if source_id in notes}
    for cell in cz.load("claims")["source_ids"].dropna():
        used |= {part.strip() for part in cell.split(";")}
    unused = set(cz.sources()["source_id"]) - used
    assert not unused, f"sources.csv rows that no figure or claim uses: {sorted(unused)}"


def test_no_figure_is_given_twice_by_the_same_source():
    """One source of truth: the same source, measure and year may appear once only."""
    for name in TABLES:
        table = cz.load(name)
        if "value" not in table.columns:
            continue
        keys = [column for column in table.columns if column not in ("value", "note")]
        duplicated = table[table.duplicated(keys, keep=False)]
        assert duplicated.empty, f"{name} repeats a figure:\n{duplicated}"


@pytest.mark.parametrize("name", ["famine"])
def test_contested_figures_come_from_several_authors(name):
    table = cz.load(name)
    for region, rows in table.groupby("region"):
        assert rows["author"].nunique() >= 2, f"{name}: {region} has only one author's estimate"


def test_the_harvest_is_shown_as_official_and_revised_series():
    harvest = cz.load("grain").query("series == 'harvest'")
    assert harvest["estimate"].nunique() >= 2


# --- the claims ledger -------------------------------------------------------------------------------------------

CLAIMS = cz.load("claims")
ESSAY = cz.essay()


def test_the_ledger_covers_the_essay():
    assert len(CLAIMS) >= 15 and CLAIMS["claim_id"].is_unique
    paragraphs = ESSAY.split("\n\n")
    assert set(CLAIMS["paragraph"]) <= set(range(1, len(paragraphs) + 1))


@pytest.mark.parametrize("row", CLAIMS.to_dict("records"), ids=list(CLAIMS["claim_id"]))
def test_each_claim_quotes_the_essay_verbatim_from_its_paragraph(row):
    assert row["quote"] in ESSAY, f"{row['claim_id']}: the quote is not in the essay word for word"
    paragraph = ESSAY[:ESSAY.index(row["quote"])].count("\n\n") + 1
    assert paragraph == row["paragraph"], f"{row['claim_id']}: the quote begins in paragraph {paragraph}"


@pytest.mark.parametrize("row", CLAIMS.to_dict("records"), ids=list(CLAIMS["claim_id"]))
def test_each_verdict_is_explained_and_sourced(row):
    assert row["verdict"] in VERDICTS
    assert isinstance(row["explanation"], str) and len(row["explanation"]) > 40
    if row["verdict"] != "not checkable":
        assert isinstance(row["source_ids"], str), f"{row['claim_id']} has a verdict but no source"
    known = set(cz.sources()["source_id"])
    for source_id in str(row["source_ids"] or "").split(";"):
        assert not source_id.strip() or source_id.strip() in known, f"{row['claim_id']}: unknown source {source_id}"


EVIDENCED = CLAIMS[CLAIMS["evidence_table"].notna()]


@pytest.mark.parametrize("row", EVIDENCED.to_dict("records"), ids=list(EVIDENCED["claim_id"]))
def test_the_ledger_quotes_the_data_tables_exactly(row):
    """evidence_value is the value of exactly one row of evidence_table, selected by evidence_filter."""
    table = cz.load(row["evidence_table"])
    rows = table.query(row["evidence_filter"])
    assert len(rows) == 1, f"{row['claim_id']}: the filter selects {len(rows)} rows, not one"
    assert rows["value"].iloc[0] == row["evidence_value"], row["claim_id"]
    assert rows["source_id"].iloc[0] in str(row["source_ids"]), f"{row['claim_id']} must cite its evidence row"


def test_every_essay_number_is_in_the_ledger():
    """Each figure the essay gives (not its years) appears as an essay_value of some claim."""
    # (?<![\d-]) leaves out the "3" of "1932-3", which is part of a year, not a figure
    numbers = [float(re.sub(r"[\s,]", "", n)) for n in re.findall(r"(?<![\d-])\d[\d,]*(?:\.\s*\d+)?", ESSAY)]
    figures = {n for n in numbers if not (1900 <= n <= 1999 and n % 1 == 0)}
    ledger = set(CLAIMS["essay_value"].dropna())
    # the ledger gives "33,000,000 horses" as 33 million head, in the unit of its evidence
    millions = CLAIMS["unit"].fillna("").str.startswith("million")
    ledger |= {value * 1_000_000 for value in CLAIMS.loc[millions, "essay_value"].dropna()}
    assert figures <= ledger, f"essay figures with no claim: {sorted(figures - ledger)}"


# --- quotations: words as evidence ---------------------------------------------------------------------------------

QUOTATIONS = cz.load("quotations")


def test_every_quotation_bears_on_claims_of_the_ledger():
    named = {claim for cell in QUOTATIONS["claim_ids"] for claim in cell.split(";")}
    assert named <= set(CLAIMS["claim_id"]), sorted(named - set(CLAIMS["claim_id"]))


@pytest.mark.parametrize("question", ["Was collectivisation a disaster?", "Was the famine intended?",
                                      "Did the countryside pay for industry?", "Were the kulaks a real class?"])
def test_contested_questions_are_answered_by_several_voices(question):
    """A debate is shown as a debate: at least three different speakers, not one 'right answer'."""
    speakers = QUOTATIONS[QUOTATIONS["question"] == question]["speaker"]
    assert speakers.nunique() >= 3, f"{question!r} has only {sorted(speakers.unique())}"


def test_second_hand_words_are_labelled_as_such():
    """A summary by a publisher, reviewer or repository must not pass for the historian's own words."""
    summarised = QUOTATIONS["speaker"].str.contains(r"as (?:a reviewer |her publisher |his university's )?summari[sz]",
                                                    regex=True)
    assert summarised.any() and (QUOTATIONS.loc[summarised, "kind"] == "summary by others").all()


def test_a_claim_judged_on_quotations_cites_their_sources():
    """C14, C21, C32 and C35 are judged on words, not figures: the ledger must name where those words were read."""
    for claim_id in ("C14", "C21", "C32", "C35"):
        claim = CLAIMS.set_index("claim_id").loc[claim_id]
        cited = set(claim["source_ids"].split(";"))
        bearing = QUOTATIONS[QUOTATIONS["claim_ids"].str.split(";").apply(lambda ids: claim_id in ids)]
        assert claim["verdict"] != "not checkable" and cited & set(bearing["source_id"]), claim_id


# --- routes: how each figure was read ------------------------------------------------------------------------------

SOURCES = cz.sources()
DATA_TABLES = [name for name in TABLES if name != "quotations"]  # rows of figures and dates, not words
WEAK_ROUTES = set(cz.WEAK_ROUTES) - {"unauthorised copy"}  # an unauthorised copy is weak unless confirmed (below)
# Pirate book-reader sites and document-sharing copies of copyrighted works met in this project's research
PIRATE_DOMAINS = ["wikireading", "readli", "docslib", "vdoc.pub", "dokumen.pub", "ebin.pub", "bibliboba", "chitka.online",
                  "rulit.me", "bookreadfree", "whosread", "trantor.is", "vampirenovels", "booksonline.com.ua",
                  "dianahicksbooks", "thenovelorange", "hotlib.net", "mreadz", "librs.net", "libcat.ru", "loveread",
                  "readania", "bubooker", "homeread", "knigi.in.net", "sex-story", "scribd.com", "fdokumen",
                  "fdocuments", "pdfslide", "mafiadoc", "paperzz", "ditext.com", "litlife", "softbeam"]
# Share of data rows resting only on weak routes, computed by weak_rows() below: a ratchet at the latest measured share
# (241 of 383, 0.6292, after the ninth pass: helpers N and L each added one row on a citable route, a famine row and a
# grain row). It may only go down, except where a route is corrected to a weaker one: the eighth pass raised it so,
# twice (Stalin's 1934 livestock table and a famine chapter were read only in unauthorised copies). Each pass's share
# is in data/README.md, "Evidence quality", and what moved it in data/research_log.md; the goal is 0.20.
WEAK_SHARE_CEILING = 0.630


def weak_rows(table):
    """A row is weak if its source's route is weak, or an unauthorised copy not confirmed by a better-routed row."""
    route = table["source_id"].map(SOURCES.set_index("source_id")["route"])
    unauthorised = route == "unauthorised copy"
    keys = [column for column in ("year", "date", "value") if column in table.columns]
    better = table[~(route.isin(WEAK_ROUTES) | unauthorised)][keys].apply(tuple, axis=1)
    confirmed = table[keys].apply(tuple, axis=1).isin(set(better))
    return route.isin(WEAK_ROUTES) | (unauthorised & ~confirmed)


def test_the_share_of_data_rows_on_weak_routes_does_not_grow():
    rows = pd.concat([weak_rows(cz.load(name)) for name in DATA_TABLES])
    assert rows.mean() <= WEAK_SHARE_CEILING, f"{rows.mean():.3f} of data rows rest only on weak routes"


def test_an_unauthorised_copy_is_cited_but_never_linked():
    unauthorised = SOURCES[SOURCES["route"] == "unauthorised copy"]
    linked = unauthorised[unauthorised["found_at"].str.contains("http", case=False)]
    assert linked.empty, f"unauthorised copies with an address: {linked['source_id'].tolist()}"
    assert unauthorised["found_at"].str.contains("not linked").all()


def test_no_source_links_a_pirate_or_book_reader_site():
    for column in ("found_at", "notes", "locator", "publication"):
        addresses = SOURCES[column].fillna("").str.lower().str.findall(r"https?://\S+").str.join(" ")
        for domain in PIRATE_DOMAINS:
            hits = SOURCES.loc[addresses.str.contains(domain, regex=False), "source_id"].tolist()
            assert not hits, f"{column} links {domain}: {hits}"


def test_a_printed_locator_is_never_a_reader_sites_page():
    locators = SOURCES["printed_locator"].fillna("")
    assert not locators.str.contains(r"reader|online copy|\bp/\d|/p\d", case=False, regex=True).any()


def test_famine_estimates_say_when_and_how_they_were_made():
    famine = cz.load("famine")
    assert famine["method"].notna().all()
    assert famine["published"].notna().mean() >= 0.5, "most estimates must carry their year of publication"


def test_a_partisan_author_is_never_counted_as_a_neutral_route():
    """L. Martens quoting R.W. Davies or McNeal is a partisan route to a scholar's table, and weak (issue 10)."""
    text = SOURCES["author"].fillna("") + " " + SOURCES["found_at"].fillna("")
    martens = SOURCES[text.str.contains("Martens")]
    assert not martens.empty
    assert martens["route"].isin({"partisan work quoting a scholarly work", "uncited"}).all(), martens["source_id"].tolist()
    assert "partisan work quoting a scholarly work" in WEAK_ROUTES


def test_nothing_a_student_or_teacher_opens_links_an_unauthorised_copy():
    """Not only sources.csv: the README, the teacher's guide, the data notes and every notebook's text and outputs
    (the site is made from them) must not send a school to a pirate or book-reader site."""
    root = DATA.parent
    files = [root / "README.md", root / "TEACHING.md", *DATA.glob("*.md"), *DATA.glob("*.csv"),
             *[path for folder in ("notebooks", "extensions", "solutions", "exercises")
               for path in (root / folder).glob("*.ipynb")]]
    found = []
    for path in files:
        for address in re.findall(r"https?://[^\s\"')\]>]+", path.read_text(encoding="utf-8")):
            if any(domain in address.lower() for domain in PIRATE_DOMAINS):
                found.append(f"{path.relative_to(root)}: {address}")
    assert not found, "links to unauthorised copies:\n" + "\n".join(found)
