"""A static website of the series, for students without Jupyter: ``python -m collectivisation site``.

Writes ``site/`` (not committed): an index page and one page per notebook and per solution, with their outputs
and live, interactive plotly charts. plotly.js comes from the installed plotly package and is copied into the site
once, so the pages work offline, from a USB stick, with no CDN.

``--out`` may name any folder, so the command deletes only what it made: it leaves a marker file in every site it
writes, replaces a folder that has the marker, and refuses any other folder that is not empty.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import nbformat
import plotly

from ..annotate import annotated_essay
from nbconvert import HTMLExporter
from pygments.formatters import HtmlFormatter

from .build import series
from .paths import EXTENSIONS, NOTEBOOKS, PLOTLY_MIME, ROOT, SOLUTIONS

FOLDERS = {NOTEBOOKS: "The series: one notebook a lesson", EXTENSIONS: "Going further: extension notebooks",
           SOLUTIONS: "Worked solutions to the exercises"}
STYLE = """body{font-family:Georgia,serif;max-width:60em;margin:2em auto;padding:0 1em;line-height:1.5;color:#222}
pre,code{font-family:Menlo,Consolas,monospace;font-size:.9em}
.jp-InputArea,.input_area{background:#f6f6f6;border-left:3px solid #0072B2;padding:.2em .8em;margin:.6em 0;overflow-x:auto}
.jp-OutputArea-output pre{overflow-x:auto}
table{border-collapse:collapse;font-size:.85em}td,th{border:1px solid #ccc;padding:.2em .5em}
blockquote{border-left:4px solid #E69F00;margin:1em 0;padding:.2em 1em;background:#fff8ea}
.plotly-figure{width:100%;min-height:520px}
nav.site{font-family:sans-serif;font-size:.9em;margin-bottom:1em}"""
#: The file that says "the site command made this folder, and may replace it".
MARKER = ".collectivisation-site"


class NotOurFolder(Exception):
    """``--out`` names a folder with someone's files in it: the site will not be written over them."""


def prepare_output(out: Path) -> None:
    """Make ``out`` an empty folder marked as the site's; refuse, deleting nothing, a non-empty folder without the
    marker (someone's Documents, say)."""
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise NotOurFolder(f"{out} is not empty and was not made by this command, so nothing in it was deleted. "
                           "Give a new or empty folder with --out, e.g. --out site.")
    if out.exists() and not out.is_dir():
        raise NotOurFolder(f"{out} is a file, not a folder; nothing was changed. Give a folder with --out.")
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    (out / MARKER).write_text("Made by `python -m collectivisation site`, which replaces this folder on each run.\n",
                              encoding="utf-8")


def figure_html(figure: dict, element_id: str) -> str:
    """A div and the script that draws ``figure`` into it with plotly.js, loaded once per page."""
    data = json.dumps(figure.get("data", [])).replace("</", "<\\/")
    layout = json.dumps(figure.get("layout", {})).replace("</", "<\\/")
    return (f'<div id="{element_id}" class="plotly-figure" role="img" aria-label="Interactive chart: see the '
            f'description after it"></div>\n<script>Plotly.newPlot("{element_id}", {data}, {layout}, '
            f'{{"responsive": true}});</script>')


def inline_figures(notebook) -> int:
    """Replace each plotly output with HTML that draws it; return how many there were."""
    count = 0
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if PLOTLY_MIME in output.get("data", {}):
                count += 1
                output["data"] = {"text/html": figure_html(output["data"][PLOTLY_MIME], f"figure-{count}")}
    return count


def page_html(title: str, body: str, depth: int) -> str:
    up = "../" * depth
    return (f"<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{html.escape(title)}</title>"
            f"<style>{STYLE}\n{HtmlFormatter().get_style_defs('.highlight')}</style>"
            f"<script src='{up}assets/plotly.min.js'></script></head><body>"
            f"<nav class='site'><a href='{up}index.html'>Weighing Collectivisation: all notebooks</a></nav>"
            f"{body}</body></html>\n")


def _site_links(body: str) -> str:
    """Links between notebooks (same folder, or ../notebooks/, ../extensions/, ../solutions/) point at their pages.

    Links to exercises/ stay as they are: exercises are for JupyterLab, not the site."""
    return re.sub(r'href="((?:\.\./(?:notebooks|extensions|solutions)/|notebooks/)?[\w-]+)\.ipynb', r'href="\1.html',
                  body)


def _trusted_html(text: str | bytes) -> str:
    """nbconvert's template passes every highlighted code cell through an HTML sanitiser (a third of the site's
    build time). The site holds only this repository's own notebooks, so their HTML is kept as it is."""
    return text.decode("utf-8") if isinstance(text, bytes) else text


def build_site(out: Path = ROOT / "site") -> dict[Path, int]:
    """Write the site; return each page written with the number of charts on it. Raises ``NotOurFolder`` (before
    touching anything) if ``out`` holds files the site did not make."""
    prepare_output(out)
    (out / "assets").mkdir()
    shutil.copy(Path(plotly.__file__).parent / "package_data" / "plotly.min.js", out / "assets" / "plotly.min.js")
    exporter = HTMLExporter(template_name="basic")
    exporter.register_filter("clean_html", _trusted_html)
    pages, contents = {}, []
    for folder, heading in FOLDERS.items():
        contents.append(f"<h2>{heading}</h2><ol start='0'>")
        for page in series(ROOT / folder):
            notebook = nbformat.read(page.path, as_version=4)
            charts = inline_figures(notebook)
            body, _ = exporter.from_notebook_node(notebook)
            body = _site_links(body)
            target = out / folder / f"{page.path.stem}.html"
            target.parent.mkdir(exist_ok=True)
            target.write_text(page_html(page.title, body, depth=1), encoding="utf-8")
            pages[target] = charts
            contents.append(f"<li><a href='{folder}/{target.name}'>{html.escape(page.title)}</a></li>")
        contents.append("</ol>")
    essay = _site_links(annotated_essay(notebook_folder="notebooks/").html)
    (out / "essay.html").write_text(page_html("The essay, annotated by the evidence", "<h1>The essay, annotated by "
                                              "the evidence</h1>" + essay, depth=0), encoding="utf-8")
    contents.insert(0, "<p><a href='essay.html'>The essay, annotated by the evidence</a>: every claim marked with "
                       "the verdict the series reaches.</p>")
    index = ("<h1>Weighing Collectivisation</h1><p>Was Stalin's collectivisation a complete disaster? A series of "
             "notebooks in which you test a student essay against the evidence. The charts are interactive: hover, "
             "zoom, and click legend entries. To run and change the code, open the notebooks in JupyterLab.</p>"
             + "".join(contents))
    (out / "index.html").write_text(page_html("Weighing Collectivisation", index, depth=0), encoding="utf-8")
    return pages
