"""Loaded before every other pytest plugin (``-p collectivisation.tools.pytest_plugin`` in pyproject.toml), in the
main process and in each worker.

nbval, which every test process loads, imports nbformat; nbformat imports jsonschema; and jsonschema compiles the
grammar of rfc3987-syntax (installed for JupyterLab's server) as it is imported: two seconds in each of the four
processes of a test run, for a format ("iri") that no schema used here declares. Marked absent before nbval loads,
it is skipped; ``import`` then raises ImportError, which jsonschema expects. The kernels skip it too (see
``collectivisation.charts``).
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)
