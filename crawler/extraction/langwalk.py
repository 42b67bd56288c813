"""langdetect's detection, step for step and float for float, at a fraction of its cost: the same profiles, the same
seeded random walks, the same arithmetic in the same order, so the same probabilities (language.py's answers must
not move), without langdetect's per-character and per-language Python overhead (a character's normalisation is
looked up once, the n-grams are cut from the whole text at once, a walk step multiplies a whole row, the walks a
caller does not need are not taken)."""

from __future__ import annotations

import random
import re
from functools import lru_cache
from itertools import chain, compress, repeat
from operator import add, and_, mul, not_
from typing import Any

from langdetect import LangDetectException, detector_factory
from langdetect.detector import Detector
from langdetect.lang_detect_exception import ErrorCode
from langdetect.utils.ngram import NGram

MAX_KEPT_ROWS = 1024  # the first walk's rows kept from text to text (a row is 55 floats)
FIRST_WALK_ROWS: dict[float, dict[str, tuple[float, ...]]] = {}
MAX_CHARS = 10000  # Detector.max_text_length: what langdetect reads of a text
SPACES = re.compile(" +")
LATIN = re.compile("[A-z]")  # what cleaning_text counts as Latin: "A" <= ch <= "z"
# ...and as another script: from U+0300 on (it means to leave out the Latin Extended Additional block, but compares
# the block's number with its name, so that every character from U+0300 on counts)
NON_LATIN = re.compile("[\u0300-\U0010ffff]")


class Walks:
    """The random walks of langdetect's Detector over one text (its `detect_langs` with `n_trial` walks): walk k
    is the same whatever the number of walks asked for, so the probabilities of 1 walk and then of 3 share the first
    walk. Raises LangDetectException for a text without features, as langdetect does."""

    def __init__(self, text: str) -> None:
        factory = _factory()
        self.languages: list[str] = factory.langlist
        self.profile: dict[str, list[float]] = factory.word_lang_prob_map
        self.ngrams = _ngrams(_cleaned(_appended(text)))
        if not self.ngrams:
            raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
        self.random = random.Random()
        self.random.seed(factory.seed)
        self.walks: list[list[float]] = []

    def guesses(self, trials: int) -> list[tuple[str, float]]:
        """(language, probability) over `trials` walks, most probable first, those above langdetect's threshold."""
        while len(self.walks) < trials:
            self.walks.append(self._walk())
        total = [0.0] * len(self.languages)
        for walk in self.walks[:trials]:
            total = [t + p / trials for t, p in zip(total, walk, strict=True)]
        found = [(lang, p) for lang, p in zip(self.languages, total, strict=True) if p > Detector.PROB_THRESHOLD]
        found.sort(key=_probability, reverse=True)  # as langdetect sorts its Language objects: stable, by prob
        return found

    def _walk(self) -> list[float]:
        """One walk of Detector._detect_block: from uniform probabilities, multiply in the rows of randomly drawn
        n-grams, normalising every 5 steps until one language holds (almost) all the probability."""
        size = len(self.languages)
        prob = [1.0 / size] * size
        alpha = Detector.ALPHA_DEFAULT + self.random.gauss(0.0, 1.0) * Detector.ALPHA_WIDTH
        weight = alpha / Detector.BASE_FREQ
        # weight + each drawn n-gram's profile row; the first walk's weight is the same for every text (the walks
        # are seeded alike), so its rows are kept from text to text (the most common n-grams: a bounded number)
        first = not self.walks
        rows = FIRST_WALK_ROWS.setdefault(weight, {}) if first else {}
        if first and len(rows) >= MAX_KEPT_ROWS:
            rows.clear()
        choice, ngrams, profile = self.random.choice, self.ngrams, self.profile
        i = 0
        while True:
            word = choice(ngrams)
            row = rows.get(word)
            if row is None:
                row = rows[word] = tuple(map(add, repeat(weight), profile[word]))
            prob = list(map(mul, prob, row))
            if i % 5 == 0:
                total = sum(prob)
                prob = [p / total for p in prob]
                if max(prob) > Detector.CONV_THRESHOLD or i >= Detector.ITERATION_LIMIT:
                    return prob
            i += 1


def _probability(guess: tuple[str, float]) -> float:
    return guess[1]


@lru_cache(maxsize=1)
def _factory() -> Any:
    detector_factory.init_factory()
    return detector_factory._factory


def _appended(text: str) -> str:
    """Detector.append: URLs and e-mail addresses out, Vietnamese normalised, runs of spaces made one."""
    text = Detector.URL_RE.sub(" ", text)
    text = Detector.MAIL_RE.sub(" ", text)
    return SPACES.sub(" ", NGram.normalize_vi(text)[:MAX_CHARS])


def _cleaned(text: str) -> str:
    """Detector.cleaning_text: Latin letters out of a text mostly in another script."""
    if len(LATIN.findall(text)) * 2 < len(NON_LATIN.findall(text)):
        return LATIN.sub("", text)
    return text


class _Normalized(dict[int, str]):
    """NGram.normalize as a str.translate table, each character's entry made when first met."""

    def __missing__(self, code: int) -> str:
        self[code] = NGram.normalize(chr(code))
        return self[code]


NORMALIZED = _Normalized()


def _ngrams(text: str) -> list[str]:
    """Detector._extract_ngrams: the 1- to 3-grams of the normalised text the profiles know, in text order.

    NGram's buffer holds the last three characters since the last space, so at each character it gives the
    character, the two and the three characters ending there, except across a space: a gram with a space inside
    ("a b"), a second space ("  ") and the space alone are never given, and none is given at a letter in capitals
    after another ("NATO"). The profiles hold none of the former (`_profile_shape` checks), so filtering all the
    grams by the profiles and leaving out the positions in capitals gives NGram's grams, in its order."""
    profile = _factory().word_lang_prob_map
    if not _profile_shape():
        return _ngrams_by_char(text, profile)
    chars = " " + text.translate(NORMALIZED)
    if len(chars) < 2:
        return []
    twos = list(map(add, chars[:-1], chars[1:]))  # twos[j]: the pair ending at character j + 1
    threes = map(add, twos[:-1], chars[2:])  # the triple ending at character j + 2
    grams: list[tuple[str, ...]] = [
        (chars[1], twos[0]),
        *zip(chars[2:], twos[1:], threes, strict=True),
    ]  # per character
    upper = list(map(str.isupper, chars))
    capitals = list(map(and_, upper[:-1], upper[1:]))  # a capital after a capital, per character
    if any(capitals):
        grams = list(compress(grams, map(not_, capitals)))
    return list(filter(profile.__contains__, chain.from_iterable(grams)))


@lru_cache(maxsize=1)
def _profile_shape() -> bool:
    """True when the profiles hold no gram NGram never gives (a space alone or twice, a space inside three)."""
    profile = _factory().word_lang_prob_map
    return " " not in profile and "  " not in profile and not any(len(g) == 3 and g[1] == " " for g in profile)


def _ngrams_by_char(text: str, profile: dict[str, list[float]]) -> list[str]:
    """Detector._extract_ngrams as NGram does it, character by character."""
    found: list[str] = []
    grams, capital = " ", False
    for ch in text.translate(NORMALIZED):
        last = grams[-1]
        if last == " ":
            grams, capital = " ", False
            if ch == " ":
                continue
        elif len(grams) >= NGram.N_GRAM:
            grams = grams[1:]
        grams += ch
        if ch.isupper():
            if last.isupper():
                capital = True
        else:
            capital = False
        if capital:
            continue
        candidates = (grams[-1:], grams[-2:], grams[-3:])[: len(grams)]
        found += (gram for gram in candidates if gram != " " and gram in profile)
    return found
