"""The search query syntax, turned into an FTS5 expression over the index's terms.

    words            every word must match (in title, body or caption)
    "exact phrase"   the words next to each other, in this order
    a OR b           either (OR binds the two terms next to it)
    -word, -"a b"    must not match
    prefix*          any word starting so

Every word is reduced to its index term by the analyser (`crawler.search.analyser`), so a query finds every form the
index unifies. A query that cannot be read raises QueryError with a one-line message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from crawler.search import analyser

_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')


class QueryError(ValueError):
    """A query that cannot be read or run; the message is one line."""


@dataclass
class Query:
    """A parsed query: the FTS5 expression, and the terms to highlight (exact terms and prefixes)."""

    expression: str
    terms: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)


def parse(text: str) -> Query:
    """The FTS5 expression of a user query (see the module's docstring for the syntax)."""
    if text.count('"') % 2:
        raise QueryError(f"unbalanced quote in query: {text}")
    query = Query("")
    groups: list[list[str]] = []  # AND of ORs
    negatives: list[str] = []
    pending_or = False
    for match in _TOKEN.finditer(text):
        negated, phrase, word = match.group(1), match.group(2), match.group(3)
        if word == "OR":
            if not groups or pending_or:
                raise QueryError(f"OR needs a word on each side: {text}")
            pending_or = True
            continue
        if word is not None and word.startswith("-") and len(word) > 1:
            negated, word = "-", word[1:]
        expression = _phrase(phrase, query) if phrase is not None else _word(word, query)
        if expression is None:
            continue
        if negated:
            if pending_or:
                raise QueryError(f"OR cannot join an excluded word: {text}")
            negatives.append(expression)
        elif pending_or:
            groups[-1].append(expression)
            pending_or = False
        else:
            groups.append([expression])
    if pending_or:
        raise QueryError(f"OR needs a word on each side: {text}")
    if not groups:
        raise QueryError("the query has no word to look for" + (f": {text}" if text.strip() else ""))
    positive = " AND ".join(g[0] if len(g) == 1 else "(" + " OR ".join(g) + ")" for g in groups)
    query.expression = " NOT ".join([f"({positive})", *negatives]) if negatives else positive
    return query


def _word(word: str, query: Query) -> str | None:
    """`"term"`, or `"prefix" *` for a word ending in * (the prefix as written and as stemmed, when they differ:
    شركا* finds شركات, indexed as شرك); None for a word with no letters or digits."""
    if word.endswith("*"):
        prefixes = {analyser.prefix_term(word.rstrip("*")), analyser.query_term(word.rstrip("*"))} - {""}
        if not prefixes:
            return None
        query.prefixes.update(prefixes)
        alternatives = [f'"{prefix}" *' for prefix in sorted(prefixes)]
        return alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")"
    term = analyser.query_term(word)
    if not term:
        return None
    query.terms.add(term)
    return f'"{term}"'


def _phrase(phrase: str, query: Query) -> str | None:
    terms = [term for _, term in analyser.tokens(phrase)]
    if not terms:
        return None
    query.terms.update(terms)
    return '"' + " ".join(terms) + '"'
