"""The essay, annotated by the evidence: ``cz.annotated_essay()``.

The whole essay, exactly as written, with every claim of the ledger (``data/claims.csv``) marked in its verdict's
colour. Hovering over a claim shows its verdict and evidence; the numbered notes under the essay say the same in
full (for touch screens and screen readers), with the sources and the notebook that examines the claim.

Plain HTML and inline styles only, no script: it shows the same in JupyterLab, in a notebook opened untrusted, and on
the static site.
"""

from __future__ import annotations

import html

import pandas as pd

from .charts import VERDICT_COLOURS
from .data import citations, essay, load

#: Where each topic of the ledger is examined.
NOTEBOOK_OF_TOPIC = {
    "collectivisation": "02_the_pace_of_collectivisation", "resistance": "03_resistance_and_dekulakisation",
    "grain": "04_grain", "livestock": "05_livestock", "food": "06_food_and_famine", "famine": "06_food_and_famine",
    "industry": "07_what_the_countryside_paid_for", "interpretation": "08_weighing_the_evidence",
}
_TINT = "33"  # two hex digits of opacity: a light wash of the verdict's colour behind the words


class AnnotatedEssay:
    """The essay as HTML. In a notebook it shows itself; ``.html`` is the markup, e.g. for a web page."""

    def __init__(self, markup: str):
        self.html = markup

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        """What a plain-text screen shows (and what a saved notebook keeps beside the HTML): the same on every run."""
        return "The essay, annotated by the evidence (shown as a web page in JupyterLab and on the site)"


def annotated_essay(notebook_folder: str = "") -> AnnotatedEssay:
    """The essay with each claim marked in its verdict's colour, a key to the colours, and a note per claim.

    ``notebook_folder`` is put before the notebooks' file names in the links (``"../notebooks/"`` from the site).
    """
    text, claims = essay(), load("claims")
    spans = _claim_spans(text, claims)
    notes = {row.claim_id: number for number, row in enumerate(claims.itertuples(), 1)}
    body = _marked_text(text, spans, claims.set_index("claim_id"), notes)
    return AnnotatedEssay(_key() + f'<div style="white-space:pre-wrap;line-height:1.7;font-family:Georgia,serif;'
                          f'max-width:48em">{body}</div>' + _notes(claims, notebook_folder))


def _claim_spans(text: str, claims: pd.DataFrame) -> list[tuple[int, int, list[str]]]:
    """Cut the essay at every claim's start and end; each piece lists the claims that cover it."""
    bounds = {0, len(text)}
    places = {}
    for row in claims.itertuples():
        start = text.find(row.quote)
        if start >= 0:
            places[row.claim_id] = (start, start + len(row.quote))
            bounds |= set(places[row.claim_id])
    cuts = sorted(bounds)
    return [(a, b, [cid for cid, (s, e) in places.items() if s <= a and b <= e]) for a, b in zip(cuts, cuts[1:])]


def _marked_text(text: str, spans, claims: pd.DataFrame, notes: dict) -> str:
    out = []
    for start, end, ids in spans:
        words = html.escape(text[start:end])
        if not ids:
            out.append(words)
            continue
        colour = VERDICT_COLOURS[claims.loc[ids[0], "verdict"]]
        tip = html.escape(" | ".join(f"{cid}: {claims.loc[cid, 'verdict']}. {_evidence(claims.loc[cid])}"
                                     for cid in ids), quote=True)
        refs = "".join(f'<sup><a href="#claim-{cid}" style="color:{colour};text-decoration:none">'
                       f'[{notes[cid]}]</a></sup>' for cid in ids if end == _end_of(spans, cid))
        out.append(f'<mark title="{tip}" style="background:{colour}{_TINT};border-bottom:3px solid {colour};'
                   f'color:inherit;padding:0 1px">{words}</mark>{refs}')
    return "".join(out)


def _end_of(spans, claim_id: str) -> int:
    return max(end for _, end, ids in spans if claim_id in ids)


def _evidence(claim) -> str:
    if pd.isna(claim["evidence_value"]):
        return str(claim["explanation"])
    unit = "" if pd.isna(claim["unit"]) else f" {claim['unit']}"
    year = "" if pd.isna(claim["evidence_year"]) else f" ({claim['evidence_year']})"
    value = claim["evidence_value"]
    figure = f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"
    return f"Evidence: {figure}{unit}{year}. {claim['explanation']}"


def _key() -> str:
    items = "".join(f'<span style="background:{colour}{_TINT};border-bottom:3px solid {colour};padding:0 .4em;'
                    f'margin-right:.6em">{html.escape(verdict)}</span>' for verdict, colour in VERDICT_COLOURS.items())
    return (f'<p style="font-family:sans-serif;font-size:.9em">Claims are marked by the ledger\'s verdict: {items}'
            "Hover over a claim, or read its numbered note below.</p>")


def _notes(claims: pd.DataFrame, notebook_folder: str) -> str:
    rows, indexed = [], claims.set_index("claim_id")
    for number, row in enumerate(claims.itertuples(), 1):
        sources = "; ".join(citations(claims[claims.claim_id == row.claim_id])) if pd.notna(row.source_ids) else ""
        notebook = NOTEBOOK_OF_TOPIC.get(row.topic, "")
        where = (f' Examined in <a href="{notebook_folder}{notebook}.ipynb">notebook {notebook[:2]}</a>.'
                 if notebook else "")
        colour = VERDICT_COLOURS[row.verdict]
        rows.append(f'<li id="claim-{row.claim_id}" value="{number}"><b>{row.claim_id}</b> '
                    f'<span style="color:{colour};font-weight:bold">{html.escape(row.verdict)}</span>: '
                    f"{html.escape(_evidence(indexed.loc[row.claim_id]))}{where}"
                    + (f" <i>Sources: {html.escape(sources)}.</i>" if sources else "") + "</li>")
    return f'<ol style="font-family:sans-serif;font-size:.85em;max-width:60em">{"".join(rows)}</ol>'
