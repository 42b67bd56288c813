"""Word counting that also works for scripts written without spaces (Chinese, Japanese, Korean), and the
fingerprint of a text's words."""

from __future__ import annotations

import hashlib
import re

CJK = "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff"
WORD = re.compile(rf"[{CJK}]|[^\W{CJK}]+")
CJK_CHAR = re.compile(rf"[{CJK}]")  # each is a token of its own in WORD
CJK_CHARS_PER_WORD = 2  # a CJK "word" is about two characters


def count_words(text: str) -> int:
    """Words of `text`; CJK characters count as half a word each."""
    cjk = len(CJK_CHAR.findall(text))
    return len(WORD.findall(text)) - cjk + cjk // CJK_CHARS_PER_WORD


def content_hash(body: str) -> str:
    """A fingerprint of the body's words, blind to case, spacing and punctuation."""
    words = " ".join(re.findall(r"\w+", body.casefold()))
    return hashlib.sha1(words.encode("utf-8")).hexdigest()
