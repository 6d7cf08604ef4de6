"""Allow `python -m nudge`."""

import sys

from nudge.cli import main

sys.exit(main())
