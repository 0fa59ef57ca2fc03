#!/bin/sh
# Builds the offline installer (`make bundle`): every wheel Ballotroom needs for this machine's
# Python and processor, the CJK font the PDFs embed, the deploy files and install.sh, in one
# folder and one .tar.gz. Build it on a machine with the internet (or a package mirror) and the
# same Python version and architecture as the hall's server (Debian 12: Python 3.11, x86-64);
# copy the .tar.gz on a stick; on the server: tar xzf ballotroom-bundle.tar.gz &&
# sudo ballotroom-bundle/install.sh   (deploy/large-hall.md, "Installing without internet").
set -eu
cd "$(dirname "$0")/.."
OUT=${1:-dist/ballotroom-bundle}
PYTHON=${PYTHON:-.venv/bin/python}
FONT=${BALLOTROOM_CJK_FONT:-/usr/share/fonts/truetype/wqy/wqy-microhei.ttc}

rm -rf "$OUT" "$OUT.tar.gz"
mkdir -p "$OUT/wheels" "$OUT/fonts" "$OUT/deploy"
PYVER=${BALLOTROOM_PYTHON_VERSION:-$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')}
# Ballotroom itself (its static files, vendored scripts and translations are inside its wheel),
# then every dependency as released wheels for Python $PYVER: chosen for the version, not for
# this machine's patch release, so that a dependency only some 3.11.x need (redis needs
# async-timeout before 3.11.3, Debian 12 has 3.11.2) is in the bundle too. pip and setuptools
# too, so the venv made on the server is brought up to date offline.
"$PYTHON" -m pip wheel --quiet --no-deps --wheel-dir "$OUT/wheels" .
"$PYTHON" -m pip download --quiet --dest "$OUT/wheels" --only-binary=:all: --python-version "$PYVER" \
  "$(ls "$OUT"/wheels/ballotroom-*.whl)" pip setuptools
"$PYTHON" deploy/bundle_markers.py "$OUT/wheels" "$PYVER" > "$OUT/markers.txt"
if [ -s "$OUT/markers.txt" ]; then
  "$PYTHON" -m pip download --quiet --dest "$OUT/wheels" --only-binary=:all: --python-version "$PYVER" -r "$OUT/markers.txt"
fi
rm "$OUT/markers.txt"
if [ -f "$FONT" ]; then
  cp "$FONT" "$OUT/fonts/"
else
  echo "bundle: no CJK font at $FONT (apt install fonts-wqy-microhei, or set BALLOTROOM_CJK_FONT)" >&2
  exit 1
fi
cp deploy/*.service deploy/*.timer deploy/*.conf deploy/*.md deploy/*.html "$OUT/deploy/"
cp deploy/install.sh "$OUT/install.sh"
chmod +x "$OUT/install.sh"
echo "$PYVER" > "$OUT/python-version"
(cd "$OUT" && find . -type f ! -name SHA256SUMS | sort | xargs sha256sum > SHA256SUMS)
tar czf "$OUT.tar.gz" -C "$(dirname "$OUT")" "$(basename "$OUT")"
echo "bundle: $OUT.tar.gz ($(ls "$OUT/wheels" | wc -l) wheels for Python $(cat "$OUT/python-version"))"
