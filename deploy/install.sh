#!/bin/sh
# Installs Ballotroom from this bundle on a machine with no network (made by `make bundle`).
#   sudo ./install.sh [TARGET]          TARGET defaults to /opt/ballotroom
# Makes TARGET/.venv with this machine's python3 (the bundle's Python version, see
# python-version), installs every wheel from ./wheels and nothing from anywhere else, puts the
# CJK font where the PDFs look for it (or in BALLOTROOM_FONTS_DIR), and copies the deploy files to TARGET/deploy.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
TARGET=${1:-/opt/ballotroom}
PYTHON=${PYTHON:-python3}

(cd "$HERE" && sha256sum --quiet -c SHA256SUMS) || { echo "install: the bundle is damaged (SHA256SUMS)" >&2; exit 1; }
want=$(cat "$HERE/python-version")
have=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
if [ "$want" != "$have" ]; then
  echo "install: this bundle is for Python $want; $PYTHON is $have (set PYTHON=python$want)" >&2
  exit 2
fi
# Only the bundle: no index, no configured mirror, no find-links of this machine.
export PIP_CONFIG_FILE=/dev/null PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1
unset PIP_FIND_LINKS PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_CONSTRAINT || true
mkdir -p "$TARGET"
"$PYTHON" -m venv "$TARGET/.venv"
"$TARGET/.venv/bin/python" -m pip install --quiet --no-index --find-links "$HERE/wheels" --upgrade pip
"$TARGET/.venv/bin/python" -m pip install --quiet --no-index --find-links "$HERE/wheels" ballotroom
if [ -n "${BALLOTROOM_FONTS_DIR:-}" ]; then fonts=$BALLOTROOM_FONTS_DIR
elif [ "$(id -u)" = 0 ]; then fonts=/usr/local/share/fonts/ballotroom
else fonts="$HOME/.local/share/fonts/ballotroom"; fi
mkdir -p "$fonts" && cp "$HERE"/fonts/* "$fonts/"
mkdir -p "$TARGET/deploy" && cp "$HERE"/deploy/* "$TARGET/deploy/"
"$TARGET/.venv/bin/ballotroom" --help > /dev/null
echo "install: Ballotroom is installed in $TARGET (ballotroom: $TARGET/.venv/bin/ballotroom; font in $fonts)."
echo "install: next, deploy/README.md (one server) or deploy/large-hall.md (several processes)."
