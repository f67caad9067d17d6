"""Entry script of the frozen app: the same command line as the ``nicgui`` console script."""

from __future__ import annotations

import multiprocessing
import sys

from nicgui.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # DataLoader workers re-run this executable on Windows and macOS
    sys.exit(main())
