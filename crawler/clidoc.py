"""The README's command reference, generated from `newscrawl --help` and every command's `--help` (as sqlite-utils
generates its CLI reference with cog), so it cannot drift from the code.

    python -m crawler.clidoc            # rewrite the block between the markers in README.md (make cli-reference)
    python -m crawler.clidoc --check    # exit 1, saying what to run, when the block is out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from click.testing import CliRunner

from crawler.cli import main as newscrawl

README = Path(__file__).resolve().parents[1] / "README.md"
START = "<!-- cli-reference: start (generated from --help by `make cli-reference`; edit the commands, not this) -->"
END = "<!-- cli-reference: end -->"
WIDTH = 100  # help text is wrapped at this width, whatever the terminal


def help_text(*command: str) -> str:
    """What `newscrawl COMMAND --help` prints."""
    result = CliRunner().invoke(newscrawl, [*command, "--help"], prog_name="newscrawl", terminal_width=WIDTH)
    if result.exit_code != 0:
        raise RuntimeError(f"newscrawl {' '.join(command)} --help failed: {result.output}")
    return result.output.rstrip()


def reference() -> str:
    """The generated block: `newscrawl --help`, then each command's help under its own heading."""
    parts = ["```", help_text(), "```"]
    for name in sorted(newscrawl.commands):
        parts += ["", f"### `newscrawl {name}`", "", "```", help_text(name), "```"]
    return "\n".join(parts)


def rewritten(text: str) -> str:
    """`text` (the README) with the block between the markers replaced by the current reference."""
    if START not in text or END not in text:
        raise ValueError(f"the README has no block between {START} and {END}")
    before, rest = text.split(START, 1)
    after = rest.split(END, 1)[1]
    return f"{before}{START}\n{reference()}\n{END}{after}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.clidoc", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the README is up to date")
    parser.add_argument("--readme", type=Path, default=README, help="the file to rewrite (default: README.md)")
    args = parser.parse_args(argv)
    text = args.readme.read_text(encoding="utf-8")
    try:
        new = rewritten(text)
    except ValueError as exc:
        print(f"clidoc: {args.readme}: {exc}", file=sys.stderr)
        return 2
    if args.check:
        if new != text:
            print(
                f"clidoc: {args.readme}: the command reference is out of date: run `make cli-reference`",
                file=sys.stderr,
            )
            return 1
        return 0
    if new != text:
        args.readme.write_text(new, encoding="utf-8")
        print(f"clidoc: {args.readme}: command reference rewritten", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
