"""The README's command reference is generated from --help (`make cli-reference`) and cannot drift."""

from __future__ import annotations

import sys

from conftest import ROOT, run
from crawler.cli import main
from crawler.clidoc import END, START

README = ROOT / "README.md"


def generator(*args: str):
    return run([sys.executable, "-m", "crawler.clidoc", *args])


def test_the_readme_command_reference_is_up_to_date():
    result = generator("--check")
    assert result.returncode == 0, f"{result.stderr}(run `make cli-reference` and commit README.md)"
    block = README.read_text(encoding="utf-8").split(START, 1)[1].split(END, 1)[0]
    for name in main.commands:
        assert f"### `newscrawl {name}`\n\n```\nUsage: newscrawl {name} [OPTIONS]" in block, name


def test_a_drifted_reference_fails_the_check_and_is_rewritten(tmp_path):
    copy = tmp_path / "README.md"
    text = README.read_text(encoding="utf-8")
    copy.write_text(text.replace("  --db TEXT ", "  --database TEXT ", 1), encoding="utf-8")
    stale = generator("--check", "--readme", str(copy))
    assert stale.returncode == 1
    assert stale.stderr.strip() == f"clidoc: {copy}: the command reference is out of date: run `make cli-reference`"
    assert generator("--readme", str(copy)).returncode == 0
    assert copy.read_text(encoding="utf-8") == text
    assert generator("--check", "--readme", str(copy)).returncode == 0
