"""What maintainers and teachers run, never what a notebook imports: build, grade, site, bench, links.

Students' notebooks import only the package above (``import collectivisation as cz``); these modules pull in
nbformat, nbclient and nbconvert, so they load only when a command runs (``python -m collectivisation ...``).
Shared paths and names live in ``paths``.
"""
