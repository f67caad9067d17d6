#!/usr/bin/env bash
# Build nicgui as a one-folder app with PyInstaller: dist/nicgui/nicgui plus dist/nicgui/_internal/.
#
#   packaging/build_frozen.sh [--distpath DIR] [--workpath DIR]
#
# Needs the project and PyInstaller in one environment: pip install -e ".[package]". The Python
# used is $PYTHON, else the checkout's .venv, else python3. Ends by printing the bundle's size and
# the build time; check the result with dist/nicgui/nicgui --selftest.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
distpath="$root/dist"
workpath="$root/build/pyinstaller"
while [ $# -gt 0 ]; do
    case "$1" in
        --distpath) distpath="$2"; shift 2 ;;
        --workpath) workpath="$2"; shift 2 ;;
        -h|--help) sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "build_frozen.sh: unknown argument: $1" >&2; exit 2 ;;
    esac
done
if [ -z "${PYTHON:-}" ]; then
    if [ -x "$root/.venv/bin/python" ]; then PYTHON="$root/.venv/bin/python"; else PYTHON=python3; fi
fi

start=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --log-level WARN \
    --distpath "$distpath" --workpath "$workpath" "$root/packaging/nicgui.spec"
seconds=$(( $(date +%s) - start ))
size=$(du -sm "$distpath/nicgui" | cut -f1)
echo "built $distpath/nicgui: ${size} MB in ${seconds} s"
