#!/usr/bin/env bash
# The slow packaging checks, for CI (.ci/run) and before a release; 4-7 minutes on 2 cores:
# build the frozen app and run its self-test and CLI, build the sdist and wheel, install the wheel
# into a fresh virtual environment and run `nicgui --selftest` there. The pytest tests in
# tests/packaging do the work; this script switches on the ones that are gated because they are
# slow (NICGUI_TEST_FROZEN, NICGUI_TEST_WHEEL) and installs the packaging tools first when they
# are missing (the ".[package]" extra). Extra arguments go to pytest.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -z "${PYTHON:-}" ]; then
    if [ -x "$root/.venv/bin/python" ]; then PYTHON="$root/.venv/bin/python"; else PYTHON=python3; fi
fi
cd "$root"
if ! "$PYTHON" -c "import PyInstaller, build" 2>/dev/null; then
    "$PYTHON" -m pip install -q -e ".[package]"
fi
export PYTHON NICGUI_TEST_FROZEN=1 NICGUI_TEST_WHEEL=1
exec "$PYTHON" -m pytest tests/packaging -p no:cacheprovider -q -rs --durations=10 "$@"
