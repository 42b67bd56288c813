"""Word counting that also works for scripts written without spaces (Chinese, Japanese, Korean), and the
fingerprint of a text's words."""

from __future__ import annotations

import hashlib
import re

CJK = "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff"
WORD = re.compile(rf"[{CJK}]|[^\W{CJK}]+")
CJK_CHAR = re.compile(rf"[{CJK}]")
CJK_CHARS_PER_WORD = 2  # a CJK "word" is about two characters


def count_words(text: str) -> int:
    """Words of `text`; CJK characters count as half a word each (every CJK character is a token of its own)."""
    cjk = len(CJK_CHAR.findall(text))
    return len(WORD.findall(text)) - cjk + cjk // CJK_CHARS_PER_WORD


def has_words(text: str, count: int) -> bool:
    """True when `text` holds at least `count` words (as count_words counts them), read only as far as needed."""
    words = cjk = 0
    for match in WORD.finditer(text):
        if CJK_CHAR.match(match[0]):
            cjk += 1
        else:
            words += 1
        if words + cjk // CJK_CHARS_PER_WORD >= count:
            return True
    return count <= 0


def content_hash(body: str) -> str:
    """A fingerprint of the body's words, blind to case, spacing and punctuation."""
    words = " ".join(re.findall(r"\w+", body.casefold()))
    return hashlib.sha1(words.encode("utf-8")).hexdigest()
