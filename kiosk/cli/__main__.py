"""`python -m kiosk.cli`: the same command line as `ballotroom`."""

import sys

from kiosk.cli.main import main

sys.exit(main())
