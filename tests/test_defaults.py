"""Every default of a setting is in crawler/settings.py only: the code reads the setting (or, outside Scrapy, the
value of crawler.settings), never a number of its own under the setting's name."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT
from crawler import settings

SETTINGS = {name for name in vars(settings) if name.isupper()}
OWN = {name.removeprefix("NEWSCRAWL_") for name in SETTINGS if name.startswith("NEWSCRAWL_")}
GETTERS = {"get", "getint", "getfloat", "getbool", "getlist", "getdict"}
CODE = sorted(
    path
    for folder in ("crawler", "pipelines")
    for path in (ROOT / folder).rglob("*.py")
    if path.name not in ("settings.py", "settingcheck.py")
)


def is_literal(node: ast.AST | None) -> bool:
    """A constant, or arithmetic on constants (10 * 1024 * 1024)."""
    if isinstance(node, ast.Constant):
        return node.value is not None
    if isinstance(node, ast.BinOp):
        return is_literal(node.left) and is_literal(node.right)
    return isinstance(node, ast.UnaryOp) and is_literal(node.operand)


def literal(node: ast.AST) -> Any:
    """The value of a literal (`is_literal`)."""
    return eval(compile(ast.Expression(node), "<literal>", "eval"))  # constants only


def repeats(name: str, node: ast.AST | None) -> bool:
    """Whether `node`, given under the name of setting NEWSCRAWL_<name>, is a literal number or the setting's own
    default (a string that only shares the name, such as a failure kind, is not)."""
    if name not in OWN or node is None or not is_literal(node):
        return False
    value = literal(node)
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    return is_number or value == getattr(settings, f"NEWSCRAWL_{name}")


def setting_read(node: ast.AST) -> str | None:
    """The setting a `settings.get*("NAME", ...)` call reads, else None (`os.environ.get` reads no setting)."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in GETTERS):
        return None
    if "environ" in ast.unparse(node.func.value):
        return None
    first = node.args[0] if node.args else None
    return first.value if isinstance(first, ast.Constant) and first.value in SETTINGS else None


def repeated_defaults(path: Path) -> list[str]:
    """Where `path` gives a setting's default itself: a fallback to a settings getter, a constant named after the
    setting, or a parameter named after it with a literal default."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        where = f"{path}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Call) and (name := setting_read(node)):  # settings.getint("NAME", 50)
            if len(node.args) > 1 or any(keyword.arg == "default" for keyword in node.keywords):
                found.append(f"{where}: {name} given a fallback")
        elif isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):  # settings.get("NAME") or "default"
            name = setting_read(node.values[0])
            literals = [literal(value) for value in node.values[1:] if is_literal(value)]
            if name and getattr(settings, name) in literals:  # (`or os.cpu_count() or 1` is no default)
                found.append(f"{where}: {name} given a fallback")
        elif isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name) and repeats(t.id, node.value)]
            found += [f"{where}: {name} = a literal (NEWSCRAWL_{name} is a setting)" for name in names]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args.args + node.args.kwonlyargs
            defaults = [None] * (len(node.args.args) - len(node.args.defaults)) + node.args.defaults
            defaults += node.args.kw_defaults
            for arg, default in zip(args, defaults, strict=True):
                if repeats(arg.arg.upper(), default):
                    found.append(f"{where}: {arg.arg}= a literal (NEWSCRAWL_{arg.arg.upper()} is a setting)")
    return found


@pytest.mark.parametrize("path", CODE, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_code_repeats_the_default_of_a_setting(path):
    assert repeated_defaults(path) == []


def test_the_check_finds_a_repeated_default(tmp_path):
    code = tmp_path / "repeat.py"
    code.write_text(
        "MIN_WORDS = 40\n"
        "def cap(title, max_title_chars=500): ...\n"
        "def size(settings): return settings.getint('NEWSCRAWL_BATCH_SIZE', 50)\n"
        "def prefix(settings): return settings.get('NEWSCRAWL_REDIS_PREFIX') or 'newscrawl'\n",
        encoding="utf-8",
    )
    assert {line.split(": ", 1)[1] for line in repeated_defaults(code)} == {
        "MIN_WORDS = a literal (NEWSCRAWL_MIN_WORDS is a setting)",
        "max_title_chars= a literal (NEWSCRAWL_MAX_TITLE_CHARS is a setting)",
        "NEWSCRAWL_BATCH_SIZE given a fallback",
        "NEWSCRAWL_REDIS_PREFIX given a fallback",
    }
