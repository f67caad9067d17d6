"""``python -m nicgui.cli``: the command line."""

import sys

from nicgui.cli import main

sys.exit(main())
