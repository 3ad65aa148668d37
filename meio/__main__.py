"""``python -m meio`` runs the command line."""

import sys

from meio.cli import main

sys.exit(main())
