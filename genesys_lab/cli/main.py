"""``genesys-lab SUBCOMMAND``: the conventional command line over the core.

``main(argv)`` only parses and calls the library (twine's shape). Each
subcommand lives in a module of ``genesys_lab.cli`` with a
``register(subparsers)`` function; none of them imports pandas or
ipywidgets, so the command line starts fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from genesys_lab.errors import GenesysLabError, UsageError

COMMAND_MODULES = [
    "genesys_lab.cli.ca",
    "genesys_lab.cli.revocation",
    "genesys_lab.cli.formats",
    "genesys_lab.cli.verify",
    "genesys_lab.cli.tls",
    "genesys_lab.cli.renew",
    "genesys_lab.cli.course",
]


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="genesys-lab", description="TLS certificates for Genesys, the way the Security Deployment Guide does them."
    )
    parser.add_argument("--version", action="version", version=f"genesys-lab {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def _version() -> str:
    from genesys_lab import __version__

    return __version__


def run(func, args, prog: str) -> int:
    """Call a command; a GenesysLabError becomes one line on stderr, never a traceback."""
    try:
        code = func(args) or 0
        sys.stdout.flush()
        return code
    except UsageError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    except GenesysLabError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{prog}: interrupted; nothing was changed", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (``genesys-lab list | head -1``): stop quietly, as Unix tools do.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return run(args.func, args, "genesys-lab")


if __name__ == "__main__":
    sys.exit(main())
