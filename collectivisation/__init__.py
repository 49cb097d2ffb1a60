"""Weighing Collectivisation: the helper package of the series.

It does three small jobs and no history: it loads the tidy tables in ``data/`` (``load``), cites their sources
(``citations``, ``source_line``), and styles charts (``finish`` and the ``"collectivisation"`` plotly template).
The analysis itself is pandas and plotly code that students read and write in the notebooks.
"""

from .charts import PALETTE, finish
from .data import DataError, citation, citations, essay, load, source_line, sources, table_names

__all__ = ["PALETTE", "DataError", "citation", "citations", "essay", "finish", "load", "source_line", "sources",
           "table_names"]
