"""``python -m nicgui``: the command line (and, without a subcommand, the app)."""

import sys

from nicgui.cli import main

sys.exit(main())
