"""Arabic-aware text analysis for full-text search: one term per word, the same at index time and at query time.

SQLite FTS5 matches exact strings, so `حكومة` would not find `الحكومة`, `والحكومه` or `الحُكومة`. Every word goes
through the same pure function, on both sides:

1. normalise: NFKC (presentation forms), case folding, no diacritics or tatweel, one alef (أ إ آ ٱ → ا),
   ة → ه, ى → ي, ؤ → و, ئ → ي, Persian/Urdu letters mapped (ک → ك, ی → ي, ۀ → ه ...), Arabic-Indic and Persian
   digits → ASCII;
2. Latin words: Snowball English stemmer (PyStemmer);
3. Arabic words: a light stemmer. Proclitic chains ending in the article (ال، وال، بال، كال، فال، لل، وبال، ولل
   ...) go when two letters or more remain. A bare و/ف then ب/ل/ك goes only when it is a particle, which no rule
   on letters can tell (وزير and وسوق are both و + three letters): a frequency lexicon decides (wordfreq's Arabic
   list, pinned), reading و+X as a particle when the word is rarer than X by 0.7 Zipf (وسوق 3.5 vs سوق 5.0:
   particle; وزير 5.4 vs زير 3.2: a word); لل+X is ل+ال+لX when لX is the more frequent stem (للجنة, للحم).
   Words the lexicon lacks fall back to a length guard (the stem after suffixes has four letters or more).
   Suffixes (pronouns, with ت for ة before them; ات، ون، ين، ان، ة/ه; tanween alef) go above a minimum stem length
   (3 or 4 by suffix), so that دين، قانون، لبنان stay whole and look-alikes (مطار/أمطار، دين/دينار، لحم/فحم) apart.

Measured on shared/benchmarks/arabic-search (37 queries, AND of terms, FTS5 unicode61 over index_text), recall /
precision: stock FTS5 0.47 / 1.0; PyStemmer Arabic (Snowball) alone is inconsistent (وزير → زير but الوزير →
وزير); rules with length guards only 0.982 / 1.0 (misses بسوق, and ولجنة، للجنة، كبيرا، لبنان split from their
other forms); with the lexicon 1.0 / 1.0. Throughput: 4-5 MB/s of Arabic text per core with a cold cache,
12-13 MB/s warm, plus 0.6-1 s to load the lexicon once per process.
"""

from __future__ import annotations

import math
import os
import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

import Stemmer

from crawler.storage.lexicon import Lexicon, write_lexicon

ANALYSER_VERSION = 3

_DIACRITICS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed\u08d3-\u08e1\u08e3-\u08ff"
_COMBINING = "\u0300-\u036f" + _DIACRITICS
# a word: letters and digits (no underscore), with the combining marks written on them (matched run by run, not
# character by character: the same words, found faster)
WORD = re.compile(rf"(?:[^\W_]+|[{_COMBINING}]+)+")
_TANWEEN_FATH = "\u064b"

_LETTER_MAP = {
    **{ord(c): "ا" for c in "أإآٱٲٳ"},
    ord("ة"): "ه",
    ord("ۀ"): "ه",
    ord("ە"): "ه",
    ord("ۃ"): "ه",
    ord("ہ"): "ه",
    ord("ھ"): "ه",
    ord("ى"): "ي",
    ord("ی"): "ي",
    ord("ې"): "ي",
    ord("ێ"): "ي",
    ord("ۍ"): "ي",
    ord("ئ"): "ي",
    ord("ؤ"): "و",
    ord("ۆ"): "و",
    ord("ۇ"): "و",
    ord("ۈ"): "و",
    ord("ۋ"): "و",
    ord("ک"): "ك",
    ord("ڪ"): "ك",
    ord("ګ"): "ك",
    ord("ڤ"): "ف",
    ord("ڨ"): "ق",
    ord("پ"): "ب",
    ord("چ"): "ج",
    ord("ژ"): "ز",
    ord("گ"): "ك",
    **{0x0660 + i: str(i) for i in range(10)},  # Arabic-Indic digits
    **{0x06F0 + i: str(i) for i in range(10)},  # Persian digits
    0x0640: None,  # tatweel
}
_DIACRITIC_RANGES = (
    (0x0610, 0x061B),
    (0x064B, 0x0660),
    (0x0670, 0x0671),
    (0x06D6, 0x06DD),
    (0x06DF, 0x06E9),
    (0x06EA, 0x06EE),
    (0x08D3, 0x08E2),
    (0x08E3, 0x0900),
)
_LETTER_MAP.update({cp: None for start, end in _DIACRITIC_RANGES for cp in range(start, end)})
_NOT_TERM_CHAR = re.compile(r"[^\w]|_")
_ARABIC_ONLY = re.compile(r"[\u0621-\u064a]+")
_LATIN = re.compile(r"[a-z\u00c0-\u024f]+")

# proclitic chains that end in the definite article, longest first; لل is ل + ال with the article's alef dropped
_ARTICLE_PREFIXES = ("وبال", "وكال", "وفال", "فبال", "فكال", "وال", "بال", "كال", "فال", "ولل", "فلل", "ال", "لل")
_ARTICLE = re.compile("^(?:" + "|".join(_ARTICLE_PREFIXES) + ")")
_LAM_ARTICLE = ("ولل", "فلل", "لل")
_BARE_PROCLITICS = ("وف", "بلك")  # a conjunction, then a preposition
_MIN_STEM_AFTER_ARTICLE = 2
_MIN_STEM_AFTER_PROCLITIC = 4  # only for words the lexicon does not know
# و+X is read as a particle when the whole word is rarer than X by this much (Zipf units, log10): وسوق 3.5 vs سوق
# 5.0 is a particle; وزير 5.4 vs زير 3.2 and وطن 4.4 vs طن 4.4 are words
_PARTICLE_MARGIN = 0.7
_MIN_STEM = 3
# الله keeps its article (stripped, it would be له "to him"), also after particles
_NAME_OF_GOD = frozenset({"الله", "لله", "والله", "ولله", "بالله", "وبالله", "فالله", "فلله", "تالله"})
# suffix -> the shortest stem it may leave
_PRONOUN_SUFFIXES = (("هما", 3), ("كما", 4), ("ها", 3), ("هم", 3), ("هن", 3), ("كم", 4), ("كن", 4), ("نا", 3))
_NUMBER_SUFFIXES = (("ات", 3), ("ون", 4), ("ين", 4), ("ان", 4), ("ه", 3))

_english = Stemmer.Stemmer("english")


@cache
def _lexicon() -> Lexicon:
    """Arabic word frequencies (wordfreq's large list, pinned), keyed by normalised spelling, in a small SQLite
    file in the cache folder: built once (a second), then opened at no cost and looked up on disk, so a process
    holds none of its half a million words in memory."""
    cache_file = _cache_dir() / f"lexicon-ar-v{ANALYSER_VERSION}.sqlite"
    if not cache_file.exists():
        _build_lexicon(cache_file)
    return Lexicon(cache_file)


def _build_lexicon(cache_file: Path) -> None:
    """Write the lexicon file from wordfreq's Arabic list, keyed by normalised spelling."""
    import wordfreq

    merged: dict[str, float] = {}
    for word, freq in wordfreq.get_frequency_dict("ar", "large").items():
        key = word.translate(_LETTER_MAP)
        merged[key] = merged.get(key, 0.0) + freq
    write_lexicon(cache_file, merged.items())


def _cache_dir() -> Path:
    """NEWSCRAWL_CACHE_DIR, else $XDG_CACHE_HOME/newscrawl, else ~/.cache/newscrawl."""
    if os.environ.get("NEWSCRAWL_CACHE_DIR"):
        return Path(os.environ["NEWSCRAWL_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "newscrawl"


def _zipf(word: str) -> float:
    """Zipf frequency (log10 per billion words) of a normalised Arabic spelling; 0 when unknown."""
    frequency = _lexicon().frequency(word)
    return math.log10(frequency * 1e9) if frequency else 0.0


def normalise(word: str) -> str:
    """Unified letters and digits of `word`: NFKC, case-folded, no diacritics or tatweel, one alef, ه for ة ..."""
    return _NOT_TERM_CHAR.sub("", unicodedata.normalize("NFKC", word).casefold().translate(_LETTER_MAP))


def _strip_article(word: str) -> str:
    """`word` without a proclitic chain ending in the article (والـ، بالـ، للـ ...), when enough stem remains."""
    match = _ARTICLE.match(word)
    if match is None or len(word) - match.end() < _MIN_STEM_AFTER_ARTICLE:
        return word
    rest = word[match.end() :]
    if match.group() in _LAM_ARTICLE and _lam_merged(rest):
        return "ل" + rest  # للحم: ل + اللحم, the article's lam merged into the word's own
    return rest


def _lam_merged(rest: str) -> bool:
    """Whether لل+rest is ل + ال + (ل+rest) rather than ل + ال + rest: the more frequent stem wins."""
    as_written = max(_zipf(rest), _zipf("ال" + rest))
    merged = max(_zipf("ل" + rest), _zipf("الل" + rest))
    if as_written or merged:
        return merged > as_written
    return len(_strip_suffixes(rest)) < _MIN_STEM


def _strip_pronoun(word: str) -> str:
    """`word` without an attached pronoun; a ta marbuta written ت before it is dropped too (شركته → شرك)."""
    for suffix, min_stem in _PRONOUN_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= min_stem:
            return _drop_ta(word[: -len(suffix)])
    if word.endswith("ه") and len(word) - 1 >= _MIN_STEM:  # his, or a ta marbuta: both go
        return _drop_ta(word[:-1])
    return word


def _drop_ta(stem: str) -> str:
    """`stem` without a final ت that stood for ة before a suffix, when enough remains (سيارت → سيار, not بيت)."""
    return stem[:-1] if stem.endswith("ت") and len(stem) - 1 >= _MIN_STEM else stem


def _strip_suffixes(word: str) -> str:
    """`word` without pronoun, plural, dual and feminine suffixes, each above its minimum stem length."""
    word = _strip_pronoun(word)
    for suffix, min_stem in _NUMBER_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= min_stem:
            stem = word[: -len(suffix)]
            return _drop_ta(stem) if suffix in ("ان", "ين") else stem
    if word.endswith("ا") and len(word) - 1 >= 4:  # accusative alef of tanween (كبيراً)
        return word[:-1]
    return word


def _is_particle(word: str, rest: str) -> bool:
    """Whether the first letter of `word` is a particle on `rest` (بسوق، ولجنة) rather than its own (وزير، لجنة)."""
    word_zipf, rest_zipf = _zipf(word), _zipf(rest)
    if word_zipf or rest_zipf:
        return word_zipf < rest_zipf - _PARTICLE_MARGIN
    return len(_strip_suffixes(rest)) >= _MIN_STEM_AFTER_PROCLITIC


def _strip_bare_proclitics(word: str) -> str:
    """`word` without a leading و/ف then ب/ل/ك that are particles, as the lexicon tells."""
    for letters in _BARE_PROCLITICS:
        rest = word[1:]
        if word[:1] in letters and len(rest) >= _MIN_STEM_AFTER_ARTICLE and _is_particle(word, rest):
            word = _strip_article(rest)
    return word


def stem_arabic(word: str) -> str:
    """Light stem of a normalised Arabic word."""
    if word in _NAME_OF_GOD:
        return "الله"
    word = _strip_article(word)
    word = _strip_bare_proclitics(word)
    return _strip_suffixes(word)


@lru_cache(maxsize=262_144)
def query_term(word: str) -> str:
    """The analysed term of one word (empty when nothing of it is kept)."""
    if word.endswith(_TANWEEN_FATH + "ا") or word.endswith("ا" + _TANWEEN_FATH):
        word = word.rstrip("ا" + _TANWEEN_FATH)
    norm = normalise(word)
    if _ARABIC_ONLY.fullmatch(norm):
        return stem_arabic(norm)
    if _LATIN.fullmatch(norm):
        return _english.stemWord(norm)
    return norm


@lru_cache(maxsize=65_536)
def prefix_term(word: str) -> str:
    """Term for a prefix query `word*`: normalised, article stripped, not suffix-stemmed."""
    norm = normalise(word)
    if norm in _NAME_OF_GOD or not _ARABIC_ONLY.fullmatch(norm):
        return norm
    return _strip_article(norm)


def tokens(text: str) -> list[tuple[str, str]]:
    """(word as written, its term) for every word of `text` that keeps a term, in order."""
    pairs = ((word, query_term(word)) for word in WORD.findall(text))
    return [(word, term) for word, term in pairs if term]


def index_text(text: str) -> str:
    """What goes in the FTS5 column: the terms of `text` joined by spaces."""
    return " ".join(filter(None, map(query_term, WORD.findall(text))))  # tokens() without the pairs: faster
