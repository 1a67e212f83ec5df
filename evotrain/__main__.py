"""``python -m evotrain``: the command line (see :mod:`evotrain.cli`)."""

import sys

from evotrain.cli import main

sys.exit(main())
