"""The static site: every page opens in a real browser (headless Chromium), draws every chart, and logs no error."""

import json
import os
import re
import shutil
import subprocess

import pytest

from collectivisation.tools.build import series
from collectivisation.tools.paths import PLOTLY_MIME, ROOT, SERIES_DIRS
from collectivisation.tools.site import build_site

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
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


def render(page, profile):
    """The page's DOM after its scripts ran, and the browser's log (console messages included)."""
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
         "--enable-logging=stderr", "--v=0", "--virtual-time-budget=15000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=180)
    return result.stdout, result.stderr


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
def test_every_page_draws_all_its_charts_without_errors(site, folder, path, tmp_path):
    expected = path.read_text(encoding="utf-8").count(f'"{PLOTLY_MIME}"')
    dom, log = render(site / folder / f"{path.stem}.html", tmp_path / "profile")
    assert dom.count('class="plot-container plotly"') == expected, f"{path.name}: not every chart was drawn"
    errors = [line for line in log.splitlines() if "CONSOLE" in line and re.search(r"Uncaught|Error", line)]
    assert not errors, "\n".join(errors)


#: Appended to a copy of a page: once plotly has drawn every chart, write each chart's geometry into the DOM, where
#: --dump-dom can read it. The plot area is plotly's own (_fullLayout._size); titles, legends and annotations are
#: measured as the browser laid them out.
GEOMETRY_PROBE = """<script>
window.addEventListener('load', () => setTimeout(() => {
  const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const report = [...document.querySelectorAll('.js-plotly-plot')].map(gd => {
    const size = gd._fullLayout._size, plot = gd.querySelector('.nsewdrag') || gd.querySelector('.bglayer rect');
    const parts = [...gd.querySelectorAll('.gtitle, .legend, .annotation')].filter(e => e.getBBox().height > 0)
      .map(e => ({kind: e.getAttribute('class').split(' ')[0], text: (e.textContent || '').slice(0, 50), box: box(e)}));
    return {title: ((gd._fullLayout.title || {}).text || '').slice(0, 60), plot_h: size.h, fig_h: gd._fullLayout.height,
            plot: plot ? box(plot) : null, parts: parts};
  });
  const pre = document.createElement('pre'); pre.id = 'chart-geometry'; pre.textContent = JSON.stringify(report);
  document.body.appendChild(pre);
}, 500));
</script>"""


def chart_geometry(page, profile):
    """Each drawn chart's plot-area height, figure height, and the boxes of its title, legend and annotations."""
    probe = page.with_name(page.stem + ".probe.html")
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", GEOMETRY_PROBE + "</body>"), encoding="utf-8")
    dom, log = render(probe, profile)
    found = re.search(r'<pre id="chart-geometry">(.*?)</pre>', dom, re.S)
    assert found, f"{page.name}: the charts did not finish drawing\n{log[-2000:]}"
    return json.loads(found.group(1).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"'))


def _overlap(a, b, slack=2):
    return a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack


@needs_browser
@pytest.mark.parametrize("folder,path", PAGES, ids=[f"{f}/{p.stem}" for f, p in PAGES])
def test_every_chart_fills_its_frame_and_nothing_covers_the_plot(site, folder, path, tmp_path):
    """What a student sees: a plot area at least 300 px high and half its figure, with no title, legend or note
    lying over the data (JupyterLab once drew these charts with plot areas of 2 to 135 px)."""
    problems = []
    for number, chart in enumerate(chart_geometry(site / folder / f"{path.stem}.html", tmp_path / "profile"), 1):
        name = f"chart {number} ({chart['title'] or 'untitled'})"
        if chart["plot_h"] < 300 or chart["plot_h"] < 0.5 * chart["fig_h"]:
            problems.append(f"{name}: plot area {chart['plot_h']:.0f} px of a {chart['fig_h']:.0f} px figure")
        for part in chart["parts"]:
            if chart["plot"] and _overlap(part["box"], chart["plot"]):
                problems.append(f"{name}: the {part['kind']} '{part['text']}' lies over the plot area")
    assert not problems, f"{path.name}:\n" + "\n".join(problems)
