"""Word counting that also works for scripts written without spaces (Chinese, Japanese, Korean)."""

from __future__ import annotations

import re

CJK = "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff"
WORD = re.compile(rf"[{CJK}]|[^\W{CJK}]+")
CJK_CHARS_PER_WORD = 2  # a CJK "word" is about two characters


def count_words(text: str) -> int:
    """Words of `text`; CJK characters count as half a word each."""
    tokens = WORD.findall(text)
    cjk = sum(1 for t in tokens if len(t) == 1 and re.match(rf"[{CJK}]", t))
    return len(tokens) - cjk + cjk // CJK_CHARS_PER_WORD
