"""The static site: every page opens in a real browser (headless Chromium), draws every chart, and logs no error."""

import os
import re

import pytest

from collectivisation.tools.build import series
from collectivisation.tools.paths import PLOTLY_MIME, ROOT, SERIES_DIRS
from collectivisation.tools.site import build_site

from browser import CHROMIUM, Browser, serve

PAGES = [(folder, page.path) for folder in SERIES_DIRS for page in series(ROOT / folder)]

# On a teacher's machine without Chromium the browser tests say so and stand aside; in CI (.ci/run installs
# Debian's chromium) they must run.
needs_browser = pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"),
                                   reason="Chromium is not installed: apt-get install chromium to run the site tests")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    build_site(out)
    return out


#: Run in each page once it has loaded: wait until plotly has drawn every chart the page has a place for (or 15 s
#: have passed), then report how many were drawn and each chart's geometry. The plot area is plotly's own
#: (_fullLayout._size); titles, legends and annotations are measured as the browser laid them out.
CHARTS_DRAWN = """new Promise(done => {
  const started = Date.now();
  const drawn = () => [...document.querySelectorAll('.js-plotly-plot')].filter(gd => gd._fullLayout);
  const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const geometry = gd => {
    const size = gd._fullLayout._size, plot = gd.querySelector('.nsewdrag') || gd.querySelector('.bglayer rect');
    const parts = [...gd.querySelectorAll('.gtitle, .legend, .annotation')].filter(e => e.getBBox().height > 0)
      .map(e => ({kind: e.getAttribute('class').split(' ')[0], text: (e.textContent || '').slice(0, 50), box: box(e)}));
    const legend = gd._fullLayout.legend || {};
    return {title: ((gd._fullLayout.title || {}).text || '').slice(0, 60), plot_h: size.h, fig_h: gd._fullLayout.height,
            plot: plot ? box(plot) : null, parts: parts,
            legend_h: legend._height || 0, legend_shown_h: legend._effHeight || legend._height || 0};
  };
  const poll = () => {
    const figures = document.querySelectorAll('.plotly-figure').length;
    if (drawn().length === figures || Date.now() - started > 15000)
      done({drawn: document.querySelectorAll('.plot-container.plotly').length, charts: drawn().map(geometry)});
    else setTimeout(poll, 100);
  };
  poll();
})"""


@pytest.fixture(scope="module")
def seen(site, tmp_path_factory):
    """What the browser made of each page, opened once in one Chromium however many tests read it. (Without
    Chromium, ``needs_browser`` skips the tests before they ask, except in CI, where starting it must fail.)"""
    browser, pages = Browser(tmp_path_factory.mktemp("profile")), {}
    address, server = serve(site)

    def look(folder, path):
        if (folder, path) not in pages:
            pages[folder, path] = browser.visit(f"{address}{folder}/{path.stem}.html", CHARTS_DRAWN)
        return pages[folder, path]

    yield look
    server.shutdown()
    browser.close()


def test_the_site_needs_no_network(site):
    for page in site.rglob("*.html"):
        text = page.read_text()
        assert not re.search(r"<(script|link)[^>]+(src|href)=['\"]https?:", text), f"{page.name} loads from the web"
    assert (site / "assets" / "plotly.min.js").stat().st_size > 1_000_000


def test_the_index_links_every_notebook_and_solution(site):
    index = (site / "index.html").read_text()
    for folder, path in PAGES:
        assert f"{folder}/{path.stem}.html" in index


@needs_browser
@pytest.mark.parametrize("folder,path", PAGES, ids=[f"{f}/{p.stem}" for f, p in PAGES])
def test_every_page_draws_all_its_charts_without_errors(seen, folder, path):
    expected = path.read_text(encoding="utf-8").count(f'"{PLOTLY_MIME}"')
    report, errors = seen(folder, path)
    assert report["drawn"] == expected, f"{path.name}: {report['drawn']} of {expected} charts were drawn"
    assert not errors, "\n".join(errors)


def _overlap(a, b, slack=2):
    return a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack


@needs_browser
@pytest.mark.parametrize("folder,path", PAGES, ids=[f"{f}/{p.stem}" for f, p in PAGES])
def test_every_chart_fills_its_frame_and_nothing_covers_the_plot(seen, folder, path):
    """What a student sees: a plot area at least 300 px high and half its figure, with no title, legend or note
    lying over the data (JupyterLab once drew these charts with plot areas of 2 to 135 px), and a legend shown whole
    (the legends of two charts in extensions 02 and 05 once scrolled, hiding their last entries)."""
    problems = []
    for number, chart in enumerate(seen(folder, path)[0]["charts"], 1):
        name = f"chart {number} ({chart['title'] or 'untitled'})"
        if chart["plot_h"] < 300 or chart["plot_h"] < 0.5 * chart["fig_h"]:
            problems.append(f"{name}: plot area {chart['plot_h']:.0f} px of a {chart['fig_h']:.0f} px figure")
        if chart["legend_h"] > chart["legend_shown_h"] + 1:
            problems.append(f"{name}: the legend scrolls ({chart['legend_shown_h']:.0f} of {chart['legend_h']:.0f} px "
                            "shown), so a student does not see its last entries")
        for part in chart["parts"]:
            if chart["plot"] and _overlap(part["box"], chart["plot"]):
                problems.append(f"{name}: the {part['kind']} '{part['text']}' lies over the plot area")
    assert not problems, f"{path.name}:\n" + "\n".join(problems)
