"""Shared test set-up, including how nbval compares the notebooks' outputs.

nbval re-runs every notebook and compares each cell's printed output with the committed one, so a changed number
in the argument fails the suite. Plotly figures are skipped in that comparison: under nbclient plotly emits only its
JSON, which nbval's sanitisers cannot reach; `python -m collectivisation build --check` (tests/test_build.py)
compares those byte for byte instead.
"""

SKIPPED_OUTPUTS = ("application/vnd.plotly.v1+json", "text/html")


def pytest_collectstart(collector):
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += SKIPPED_OUTPUTS
