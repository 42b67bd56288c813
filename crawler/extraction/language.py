"""Language (ISO 639-1), deterministic: langdetect on the body, else the page's declared language, else the hint."""

from __future__ import annotations

from langdetect import DetectorFactory, LangDetectException, detect

DetectorFactory.seed = 0  # langdetect is random without a seed
MIN_CHARS = 200  # below this, detection is a guess: trust the page's declaration


def detect_language(body: str, declared: str | None, hint: str | None) -> str | None:
    """The body's language when it is long enough to tell, else `declared` (html lang), else `hint`."""
    if len(body) >= MIN_CHARS:
        try:
            return detect(body[:5000]).split("-")[0]
        except LangDetectException:
            pass
    return declared or hint
