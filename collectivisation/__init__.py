"""Weighing Collectivisation: the helper package of the series.

It does four small jobs and no history: it loads the tidy tables in ``data/`` (``load``), cites their sources
(``citations``, ``source_line``, ``show_quotes``), styles charts (``finish``, ``dropdown``, ``event_line`` and the
``"collectivisation"`` plotly template), checks exercise answers (``check``), and shows the essay annotated by the evidence
(``annotated_essay``).
The analysis itself is pandas and plotly code that students read and write in the notebooks.
"""

from .annotate import annotated_essay
from .answers import check
from .charts import PALETTE, ROUTE_PATTERNS, ROUTE_SYMBOLS, VERDICT_COLOURS, dropdown, event_line, finish
from .data import (WEAK_ROUTES, DataError, citation, citations, essay, load, route_quality, show_quotes, source_line,
                   sources, table_names)

__all__ = ["PALETTE", "ROUTE_PATTERNS", "ROUTE_SYMBOLS", "VERDICT_COLOURS", "DataError", "annotated_essay", "check", "citation", "citations", "dropdown", "essay", "event_line",
           "finish", "load", "route_quality", "show_quotes", "source_line", "sources", "table_names",
           "WEAK_ROUTES"]
