#!/usr/bin/env bash
# Install nicgui's desktop integration for the current user (Linux, freedesktop.org desktops):
# the application entry, the icon and the application/x-nic MIME type (*.nic files, or any file
# starting with \x89NIC\r\n\x1a\n), so that double-clicking a .nic file opens nicgui.
#
#   packaging/install_desktop.sh [--exec PROGRAM] [--no-default] [--uninstall]
#
# Files go to $XDG_DATA_HOME (default ~/.local/share); the default-application choice goes to
# $XDG_CONFIG_HOME/mimeapps.list through xdg-mime when it is installed. PROGRAM is what the menu
# entry runs: by default the frozen app next to this script (dist/nicgui/nicgui, where the build
# copies this script), else `nicgui` found on PATH (a pip install). Works from a source checkout
# (data in packaging/linux and resources/) and from the frozen app's folder (linux/ and
# _internal/resources/). Nothing needs root.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
program=""
set_default=1
uninstall=0

usage() { sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "install_desktop.sh: error: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case "$1" in
        --exec) [ $# -ge 2 ] || die "--exec needs a program"; program="$2"; shift 2 ;;
        --exec=*) program="${1#--exec=}"; shift ;;
        --no-default) set_default=0; shift ;;
        --uninstall) uninstall=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown argument: $1 (see --help)" ;;
    esac
done

data_home="${XDG_DATA_HOME:-$HOME/.local/share}"
apps="$data_home/applications"
mime="$data_home/mime"
icons="$data_home/icons/hicolor"
installed=(
    "$apps/nicgui.desktop"
    "$mime/packages/nicgui.xml"
    "$icons/256x256/apps/nicgui.png"
    "$icons/scalable/apps/nicgui.svg"
)

refresh_caches() {
    if command -v update-mime-database >/dev/null 2>&1 && [ -d "$mime/packages" ]; then
        update-mime-database "$mime"
    fi
    if command -v update-desktop-database >/dev/null 2>&1 && [ -d "$apps" ]; then
        update-desktop-database "$apps"
    fi
    # Only refresh an icon cache that exists: creating one in a user folder hides icons other
    # programs install there later without refreshing it.
    if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$icons/icon-theme.cache" ]; then
        gtk-update-icon-cache --quiet --force --ignore-theme-index "$icons" || true
    fi
}

if [ "$uninstall" = 1 ]; then
    rm -f "${installed[@]}"
    refresh_caches
    echo "removed nicgui's desktop entry, icon and MIME type from $data_home"
    exit 0
fi

first_existing() {
    for candidate in "$@"; do
        if [ -e "$candidate" ]; then echo "$candidate"; return 0; fi
    done
    return 1
}

linux_dir="$(first_existing "$here/linux")" || die "no linux/ folder next to this script"
resources="$(first_existing "$here/../resources/nicgui.png" "$here/_internal/resources/nicgui.png")" \
    || die "cannot find the icons (resources/nicgui.png)"
resources="$(dirname "$resources")"

if [ -z "$program" ]; then
    if [ -x "$here/nicgui" ] && [ -f "$here/nicgui" ]; then
        program="$here/nicgui"
    else
        program="$(command -v nicgui || true)"
    fi
    [ -n "$program" ] || die "nicgui is not on PATH; pass --exec /path/to/nicgui"
fi
case "$program" in
    /*) ;;
    *) program="$(cd "$(dirname "$program")" && pwd)/$(basename "$program")" ;;
esac
[ -x "$program" ] || die "$program is not an executable file"
case "$program" in
    *[\"\`\$\\]*|*$'\n'*) die "the program path must not contain \", \`, \$, backslashes or newlines: $program" ;;
esac
# Exec= syntax: '%' doubles (field codes), and a path with reserved characters goes in double quotes.
exec_field="${program//%/%%}"
case "$exec_field" in
    *[!A-Za-z0-9_./+:@,=%-]*) exec_field="\"$exec_field\"" ;;
esac
sed_escape() { printf '%s' "$1" | sed -e 's/[|&]/\\&/g'; }

mkdir -p "$apps" "$mime/packages" "$icons/256x256/apps" "$icons/scalable/apps"
install -m 644 "$linux_dir/nicgui-mime.xml" "$mime/packages/nicgui.xml"
install -m 644 "$resources/nicgui.png" "$icons/256x256/apps/nicgui.png"
install -m 644 "$resources/nicgui.svg" "$icons/scalable/apps/nicgui.svg"
desktop_tmp="$(mktemp "$apps/.nicgui.desktop.XXXXXX")"
sed -e "s|^Exec=nicgui |Exec=$(sed_escape "$exec_field") |" -e "s|^TryExec=nicgui\$|TryExec=$(sed_escape "$program")|" \
    "$linux_dir/nicgui.desktop" >"$desktop_tmp"
chmod 644 "$desktop_tmp"
mv "$desktop_tmp" "$apps/nicgui.desktop"
refresh_caches

if [ "$set_default" = 1 ] && command -v xdg-mime >/dev/null 2>&1; then
    xdg-mime default nicgui.desktop application/x-nic || echo "note: xdg-mime could not set the default application" >&2
fi
echo "installed nicgui's desktop entry (runs $program), icon and MIME type application/x-nic into $data_home"
