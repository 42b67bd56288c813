"""Trimming a name cut out of a longer text (an outlet, a photo credit) without breaking its brackets: a closing
bracket is taken off only when nothing in the name opens it, and a name wrapped whole in a pair is unwrapped."""

from __future__ import annotations

PAIRS = {"(": ")", "[": "]", "{": "}", "«": "»", "‹": "›", "（": "）", "“": "”", "„": "“", "‚": "‘"}
QUOTES = "\"'"  # the same character opens and closes
LOOSE = " \t.,;:·-–—|/"  # punctuation that may trail or lead a name


def trim(text: str, loose: str = LOOSE) -> str:
    """`text` without the punctuation in `loose` at its ends, the brackets and quotes there that pair with nothing
    inside it, and a pair that wraps it whole: "Kuwait News Agency (KUNA))" -> "Kuwait News Agency (KUNA)",
    "(كونا)" -> "كونا", "«KUNA" -> "KUNA"."""
    while True:
        before = text
        text = text.strip(loose)
        if not text:
            return text
        first, last = text[0], text[-1]
        if PAIRS.get(first) == last or (first == last and first in QUOTES):
            inner = text[1:-1]
            if _balanced(inner):
                text = inner
        if text and _unopened(text):
            text = text[:-1]
        if text and _unclosed(text):
            text = text[1:]
        if text == before:
            return text


def _unopened(text: str) -> bool:
    """True when the last character closes a bracket (or quote) that nothing in `text` opens."""
    last = text[-1]
    if last in QUOTES:
        return text.count(last) % 2 == 1
    openers = [o for o, c in PAIRS.items() if c == last]
    return bool(openers) and sum(text.count(o) for o in openers if o != last) < text.count(last)


def _unclosed(text: str) -> bool:
    """True when the first character opens a bracket (or quote) that nothing in `text` closes."""
    first = text[0]
    if first in QUOTES:
        return text.count(first) % 2 == 1
    closer = PAIRS.get(first)
    return closer is not None and closer != first and text.count(closer) < text.count(first)


def _balanced(text: str) -> bool:
    """True when every bracket in `text` closes one opened before it."""
    depth: list[str] = []
    closers = {c: o for o, c in PAIRS.items()}
    for char in text:
        if char in PAIRS and not (char in closers and depth and depth[-1] == closers[char]):
            depth.append(char)
        elif char in closers:
            if not depth or depth[-1] != closers[char]:
                return False
            depth.pop()
    return not depth
