"""Subcommands of ``genesys-lab``: each module parses its options and calls the core."""
