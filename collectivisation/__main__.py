"""``python -m collectivisation build | bench | grade | site | link``: the maintainers' commands (see tools/cli.py)."""

import sys

from .tools.cli import main

sys.exit(main())
