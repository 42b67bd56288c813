"""trafilatura's XPaths with regular expressions, made cheaper and kept exact.

lxml calls Python for every EXSLT re:test(), once per element the path reaches, even when the element lacks the
attribute tested (its value is then the empty text) or its value holds none of the words the pattern needs. Tests
that run in C are put before each re:test(): that the element has the attribute, and that its value contains one
of the texts every match of the pattern contains. And a path that tests every element for a few names,
`.//*[self::div or self::section][...]`, is read as the union `.//div[...] | .//section[...]`, which libxml2
walks faster. The path finds the same elements, in the same order.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

try:
    from re import _parser as regex_parser  # Python 3.11+
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse as regex_parser  # type: ignore[no-redef]

REGEXP_NAMESPACES = {"re": "http://exslt.org/regular-expressions"}
# .//*[self::div or self::section]...: the axis, the names, the predicates after them
BY_NAME = re.compile(r"^\s*(\.?//)\*\[\s*(self::[\w-]+(?:\s+or\s+self::[\w-]+)*)\s*\](.*)$", re.DOTALL)
POSITIONAL = re.compile(r"\[\s*\d|position\(|last\(")  # predicates that count: not the same in a union
# re:test(@class, 'pattern') and re:test(@id|@class, 'pattern', 'i'): the attributes, the pattern, the flags
REGEX_TEST = re.compile(r"re:test\((@[\w-]+(?:\s*\|\s*@[\w-]+)*)\s*,\s*'([^']*)'(?:\s*,\s*'([^']*)')?\)")
MIN_NEEDED_CHARS = 3  # shorter texts (a letter or two) are in most class names: no use testing for them

LITERAL, BRANCH, SUBPATTERN = regex_parser.LITERAL, regex_parser.BRANCH, regex_parser.SUBPATTERN


def guarded(path: str) -> str:
    """`path` with each re:test() of attributes preceded by a test that the element has one of them, and one that
    the value contains a text the pattern needs, where the pattern cannot match the empty text (see the module's
    docstring)."""

    def guard(call: re.Match) -> str:
        attributes, pattern, flags = call.group(1), call.group(2), call.group(3) or ""
        if re.search(pattern, "", re.IGNORECASE if "i" in flags else 0) is not None:
            return call.group(0)
        present = " or ".join(attribute.strip() for attribute in attributes.split("|"))
        needed = None if "i" in flags else needed_texts(pattern)
        if needed:
            holds = " or ".join(f"contains({attributes}, '{text}')" for text in needed)
            return f"(({present}) and ({holds}) and {call.group(0)})"
        return f"(({present}) and {call.group(0)})"

    return REGEX_TEST.sub(guard, path)


def by_name(path: str) -> str:
    """`path` with each part of its union that tests every element for a few names, `.//*[self::a or self::b]P`,
    written as `.//a P | .//b P` (not where its predicates count positions)."""
    rewritten = []
    for part in _union_parts(path):
        found = BY_NAME.match(part)
        if found is None or POSITIONAL.search(found.group(3)):
            rewritten.append(part.strip())
            continue
        axis, names, predicates = found.groups()
        tags = [name.removeprefix("self::") for name in re.split(r"\s+or\s+", names)]
        rewritten += [f"{axis}{tag}{predicates.strip()}" for tag in tags]
    return " | ".join(rewritten)


def _union_parts(path: str) -> list[str]:
    """The parts of `path` joined by a union (|) outside brackets and quotes."""
    parts, start, depth, quote = [], 0, 0, ""
    for index, char in enumerate(path):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(path[start:index])
            start = index + 1
    return [*parts, path[start:]]


def guarded_xpaths(expressions: list[etree.XPath]) -> list[etree.XPath]:
    """Faster copies of trafilatura's compiled XPaths (all of which use the EXSLT namespace as "re")."""
    return [etree.XPath(by_name(guarded(expression.path)), namespaces=REGEXP_NAMESPACES) for expression in expressions]


def needed_texts(pattern: str) -> list[str] | None:
    """Texts one of which every match of `pattern` contains (runs of plain characters it must match, one of each
    alternative), or None when the pattern is case-blind or no such texts of MIN_NEEDED_CHARS are found."""
    parsed = regex_parser.parse(pattern)
    if parsed.state.flags & re.IGNORECASE:
        return None
    needed = _needed(list(parsed))
    if not needed or min(map(len, needed)) < MIN_NEEDED_CHARS or any("'" in text for text in needed):
        return None
    return needed


def _needed(items: list[tuple[Any, Any]]) -> list[str] | None:
    """The best choice of texts one of which a match of the sequence `items` contains: a run of literal
    characters, or one run from each alternative of a branch or group it must match."""
    choices: list[list[str]] = []
    run: list[str] = []
    for opcode, argument in [*items, (None, None)]:  # the sentinel ends the last run
        if opcode is LITERAL:
            run.append(chr(argument))
            continue
        if run:
            choices.append(["".join(run)])
            run = []
        if opcode is BRANCH:
            alternatives = [_needed(list(alternative)) for alternative in argument[1]]
            if all(alternatives):
                choices.append([text for alternative in alternatives for text in alternative])  # type: ignore[union-attr]
        elif opcode is SUBPATTERN:
            inner = _needed(list(argument[-1]))
            if inner:
                choices.append(inner)
    return max(choices, key=lambda texts: min(map(len, texts)), default=None)
