"""Text for a terminal: what a page or a record says is shown, never obeyed.

Stored text has no control characters (pipelines/normalise.py), but a database written by an older version, a
source file or an error message may: every CLI output goes through `printable`, and JSON output through
`json_text`."""

from __future__ import annotations

import json
import re
from typing import Any

# C0 and C1 controls but newline and tab (ESC starts a terminal command, BEL rings, CR overwrites the line), and
# the bidi embeddings, overrides and isolates, which reorder what is shown after them
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# what json.dumps leaves raw of those (it escapes C0 itself), and the line separators JavaScript reads as newlines
JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def printable(text: str) -> str:
    """`text` with each unsafe character written as an escape: ESC as \\x1b, U+202E as \\u202e."""
    return UNSAFE.sub(_escape, text)


def json_text(value: Any, **options: Any) -> str:
    """`value` as JSON (non-ASCII text kept readable) in which every unsafe character is a \\u escape: the same
    value for a JSON reader, inert on a terminal."""
    return JSON_UNSAFE.sub(_json_escape, json.dumps(value, ensure_ascii=False, **options))


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"
