"""What the tools share: the flags the browser checks start Debian's Chromium with, the usage message of a wrong
command line, and the verdict of a check."""

import sys
from collections.abc import Iterable

# Headless, as root, with no background traffic.
HEADLESS_FLAGS = (
    "--headless",
    "--no-sandbox",  # runs as root in containers
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def usage(doc: str) -> int:
    """Print the tool's docstring (its usage) on stderr; returns the exit status of bad usage, 2."""
    print(doc, file=sys.stderr)
    return 2


def verdict(results: Iterable[tuple[str, list[str]]]) -> int:
    """Print each checked file's line, then a FAIL line per problem; returns the exit status: 1 if any failed."""
    failed = False
    for line, problems in results:
        failed |= bool(problems)
        print(line + "".join(f"\n  FAIL {problem}" for problem in problems))
    return 1 if failed else 0
