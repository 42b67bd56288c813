"""trafilatura's XPaths with regular expressions, made cheaper and kept exact.

lxml calls Python for every EXSLT re:test(), once per element the path reaches, even when the element lacks the
attribute tested (its value is then the empty text). A test that the element has the attribute, which runs in C,
is put before each re:test() whose pattern cannot match the empty text: the path finds the same elements.
"""

from __future__ import annotations

import re

from lxml import etree

REGEXP_NAMESPACES = {"re": "http://exslt.org/regular-expressions"}
# re:test(@class, 'pattern') and re:test(@id|@class, 'pattern', 'i'): the attributes, the pattern, the flags
REGEX_TEST = re.compile(r"re:test\((@[\w-]+(?:\s*\|\s*@[\w-]+)*)\s*,\s*'([^']*)'(?:\s*,\s*'([^']*)')?\)")


def guarded(path: str) -> str:
    """`path` with each re:test() of attributes preceded by a test that the element has one of them, where the
    pattern cannot match the empty text (see the module's docstring)."""

    def guard(call: re.Match) -> str:
        attributes, pattern, flags = call.group(1), call.group(2), call.group(3) or ""
        if re.search(pattern, "", re.IGNORECASE if "i" in flags else 0) is not None:
            return call.group(0)
        present = " or ".join(attribute.strip() for attribute in attributes.split("|"))
        return f"(({present}) and {call.group(0)})"

    return REGEX_TEST.sub(guard, path)


def guarded_xpaths(expressions: list[etree.XPath]) -> list[etree.XPath]:
    """Guarded copies of trafilatura's compiled XPaths (all of which use the EXSLT namespace as "re")."""
    return [etree.XPath(guarded(expression.path), namespaces=REGEXP_NAMESPACES) for expression in expressions]
