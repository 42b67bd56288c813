"""How text becomes index terms, on the index side and the query side alike.

The full-text index (FTS5 `unicode61 remove_diacritics 2`) folds case and diacritics; these functions give the
same terms for query words and for highlighting the words of a stored text that a query matched.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_WORD = re.compile(r"\w+")


@lru_cache(maxsize=65536)
def query_term(word: str) -> str:
    """The index term of one word: case-folded, without diacritics, letters and digits only."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


def prefix_term(word: str) -> str:
    """The term form of a prefix (for `prefix*`)."""
    return query_term(word)


def tokens(text: str) -> list[tuple[str, str]]:
    """(original word, term) for every word of `text`, in order."""
    pairs = ((word, query_term(word)) for word in _WORD.findall(text))
    return [(word, term) for word, term in pairs if term]
