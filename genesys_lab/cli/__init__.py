"""The command lines: ``genesys-lab SUBCOMMAND`` and the guide's scripts.

Each module parses one group of commands and calls the core; none holds crypto or file logic.
"""

from genesys_lab.cli.main import build_parser, main, run

__all__ = ["build_parser", "main", "run"]
