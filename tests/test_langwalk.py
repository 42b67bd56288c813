"""crawler.extraction.langwalk gives langdetect's probabilities exactly: the same languages, the same floats, for
any text and any number of walks (language.py's answers rest on them)."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from langdetect import DetectorFactory, LangDetectException, detector_factory
from test_extract_fields import ARABIC_PARAS, ENGLISH_PARAS, ICELANDIC, NORWEGIAN, SPANISH

from crawler.extraction.langwalk import Walks

FAST = settings(derandomize=True, deadline=None, max_examples=150, suppress_health_check=list(HealthCheck))
# letters of the scripts and blocks langdetect normalises (Latin-1, Vietnamese marks, Arabic and Farsi yeh, Latin
# Extended Additional, kana, CJK, Hangul), capitals, digits, punctuation, URLs' and addresses' characters, spaces
ALPHABET = (
    string.ascii_letters
    + string.digits
    + "  \t\n.,;:!?-–—'\"()@/"
    + "ÀÉÎÕÜßàéîõüçñøå×÷\u00a0"
    + "ĂăƠơƯưȘșȚț\u0300\u0301\u0303\u0309\u0323"
    + "ابتثجحخدذرسشصضطظعغفقكلمنهوي\u06cc\u064a٠١٢"
    + "ẠạẶặỆệỲỳ"
    + "ぁあアカ漢字中文語한국어"
    + "АБВабвгдежзи"
)
TEXTS = [
    SPANISH,
    NORWEGIAN,
    ICELANDIC,
    " ".join(ENGLISH_PARAS),
    " ".join(ARABIC_PARAS),
    "THE NEW YORK TIMES reports that NATO and the EU agreed on Tuesday.",
    "See https://example.com/a?b=c and write to desk@example.com today, in  many   spaces ",
    "Tiếng Việt có dấu: Hà Nội, Thành phố Hồ Chí Minh, Đà Nẵng.",
    "مرحبا بكم في الموقع Breaking News الكويت ۱۴۰۵ یک",
    "東京都は月曜日、新しい計画を発表した。ソウル 서울특별시는 발표했다",
    "",
    "   ",
    "12345 67890 !!! ???",
]


def langdetect_guesses(text: str, trials: int) -> list[tuple[str, float]]:
    """What langdetect itself says: Detector.get_probabilities with `trials` walks."""
    DetectorFactory.seed = 0
    detector_factory.init_factory()
    detector = detector_factory._factory.create()
    detector.n_trial = trials
    detector.append(text)
    return [(guess.lang, guess.prob) for guess in detector.get_probabilities()]


def walk_guesses(text: str, trials: int) -> list[tuple[str, float]]:
    return Walks(text).guesses(trials)


def outcome(detect, text: str, trials: int) -> object:
    try:
        return detect(text, trials)
    except LangDetectException as exc:
        return ("no features", str(exc))


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("trials", [1, 3, 7])
def test_walks_give_langdetects_probabilities(text, trials):
    assert outcome(walk_guesses, text, trials) == outcome(langdetect_guesses, text, trials)


def test_more_walks_continue_the_first_ones():
    """Asking for 1 walk then 3 gives what asking for 3 at once gives (the first walk is shared)."""
    text = " ".join(ENGLISH_PARAS)
    walks = Walks(text)
    assert walks.guesses(1) == langdetect_guesses(text, 1)
    assert walks.guesses(3) == langdetect_guesses(text, 3)


@FAST
@given(st.text(alphabet=ALPHABET, max_size=300), st.sampled_from([1, 3]))
def test_any_text_gives_langdetects_probabilities(text, trials):
    assert outcome(walk_guesses, text, trials) == outcome(langdetect_guesses, text, trials)
