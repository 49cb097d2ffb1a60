"""The static site: every page opens in a real browser (headless Chromium), draws every chart, and logs no error."""

import os
import re
import shutil
import subprocess

import pytest

from collectivisation.tools.build import series
from collectivisation.tools.paths import ROOT
from collectivisation.tools.paths import PLOTLY_MIME
from collectivisation.tools.site import build_site

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
PAGES = [(folder, page.path) for folder in ("notebooks", "solutions") for page in series(ROOT / folder)]

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
