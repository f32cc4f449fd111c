"""`python -m charlm`: hands the command line to charlm.cli."""

import sys

from charlm.cli import main

sys.exit(main())
