"""The JSON layout of the reference files, shared by both reference scripts."""

import json
import re
import sys


def dump(data):
    """Writes `data` as indented JSON with lists of numbers (and of number pairs) on one line."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    text = re.sub(r"\[[\s\d.,eE+-]*\]", lambda match: re.sub(r"\s+", "", match.group(0)).replace(",", ", "), text)
    text = re.sub(
        r"\[\s*(\[[^\[\]]*\](?:,\s*\[[^\[\]]*\])*)\s*\]",
        lambda match: "[" + re.sub(r"\],\s*\[", "], [", match.group(1)) + "]",
        text,
    )
    sys.stdout.write(text + "\n")
