"""Language (ISO 639-1), deterministic: the page's declared language (else the source hint) unless the body's text
contradicts it, langdetect's guess when it does or nothing is declared, the declaration alone for short texts."""

from __future__ import annotations

from functools import lru_cache

import langcodes
from langdetect import DetectorFactory, LangDetectException, detector_factory

from crawler.extraction.langwalk import Walks

DetectorFactory.seed = 0  # langdetect is random without a seed
MIN_CHARS = 200  # below this, detection is a guess: trust the page's declaration
SAMPLE_CHARS = 500  # what detection reads: on the benchmark pages, the same answers as 5,000 in a sixth of the time
TRIALS = 3  # langdetect's random walks over the text's n-grams (it makes 7): the same answers, in half the time
SUPPORTED_SHARE = 0.2  # a declared language the detector knows is kept while it gets at least this probability
SURE = 0.9  # a guess this probable overrules a declared language of another script
SAME_LANGUAGE = {"nb": "no", "nn": "no", "iw": "he", "in": "id", "ji": "yi"}  # one code per language (langdetect's)


def detect_language(body: str, declared: str | None, hint: str | None) -> str | None:
    """The page's language: `declared` (html lang), else `hint` (the source's), when the body does not contradict
    it; langdetect's guess otherwise; the claim alone when the body is too short to tell."""
    claimed = iso_code(declared) or iso_code(hint)
    if len(body) < MIN_CHARS:
        return claimed
    try:
        walks = Walks(body[:SAMPLE_CHARS])
        # the first walk alone gives the claim its share of all TRIALS walks: it stands, as after all of them
        if claimed in single_profile_languages() and _share(walks.guesses(1), claimed) / TRIALS >= SUPPORTED_SHARE:
            return claimed
        guesses = [(lang.split("-")[0], prob) for lang, prob in walks.guesses(TRIALS)]
    except LangDetectException:
        return claimed
    best, sure = guesses[0]
    if claimed is None or claimed == best:
        return best
    if claimed in detectable_languages():
        # the detector knows the claimed language: keep it unless the text gives it almost no chance (a CMS
        # template left at "en" on a page in another language)
        return claimed if dict(guesses).get(claimed, 0.0) >= SUPPORTED_SHARE else best
    # the detector cannot recognise the claimed language (Icelandic, Zulu...): it guesses a neighbour of the same
    # script, so the claim stands unless the guess is sure and of another script
    return claimed if script(claimed) == script(best) or sure < SURE else best


def iso_code(tag: str | None) -> str | None:
    """The two-letter ISO 639-1 code of a language tag ("en-US", "nb_NO", "iw"), None when it is not one."""
    if not tag:
        return None
    code = tag.replace("_", "-").split("-")[0].strip().lower()
    if len(code) != 2 or not code.isalpha() or not langcodes.tag_is_valid(code):
        return None
    return SAME_LANGUAGE.get(code, code)


@lru_cache(maxsize=1)
def detectable_languages() -> frozenset[str]:
    """The languages langdetect has profiles for."""
    detector_factory.init_factory()
    return frozenset(code.split("-")[0] for code in detector_factory._factory.get_lang_list())


def _share(guesses: list[tuple[str, float]], code: str) -> float:
    """The probability langdetect's `guesses` give the language `code`."""
    return next((prob for lang, prob in guesses if lang == code), 0.0)


@lru_cache(maxsize=1)
def single_profile_languages() -> frozenset[str]:
    """The languages langdetect has exactly one profile for, under their own code (not zh-cn/zh-tw)."""
    detector_factory.init_factory()
    return frozenset(code for code in detector_factory._factory.get_lang_list() if "-" not in code)


@lru_cache(maxsize=256)
def script(code: str) -> str | None:
    """The usual script of a language ("Latn", "Arab", "Cyrl"...)."""
    return langcodes.Language.get(code).maximize().script
