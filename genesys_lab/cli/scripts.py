"""The Security Pack's commands with exactly the guide's options: create_ca.sh, create_cert.sh, convert_priv_key.sh.

A learner types what the guide shows (single-dash options, ``-SANDomain
"a,b"``) and gets the same ``ca_conf/`` files, working in the current
directory. The one extension is ``create_cert.sh -profile gui``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from genesys_lab.authority.ca import DEFAULT_CA_DAYS, create_ca, load_ca
from genesys_lab.authority.request import FIELDS, REQUIRED, HostRequest, Naming
from genesys_lab.cli import output
from genesys_lab.cli.main import _Parser, run


def _parser(prog: str, usage: str) -> argparse.ArgumentParser:
    return _Parser(prog=prog, usage=usage, allow_abbrev=False, add_help=True)


def _common(p, days: int) -> None:
    p.add_argument("-keySz", default="2048", metavar="KEY_SIZE", help="key size in bits (default 2048)")
    p.add_argument(
        "-dgst", default="sha256", metavar="DIGEST", help="sha1 (not recommended), sha224, sha256 (default), sha384, sha512"
    )
    p.add_argument("-time", default=str(days), metavar="VALID_TIME", help=f"validity in days (default {days})")
    p.add_argument("-CN", required=True, metavar="COMMON_NAME", help="common name (mandatory)")
    p.add_argument("-E", metavar="EMAIL")
    p.add_argument("-OU", metavar="ORG_UNIT")
    p.add_argument("-O", metavar="ORGANIZATION")
    p.add_argument("-L", metavar="LOCALITY")
    p.add_argument("-S", metavar="STATE")
    p.add_argument("-C", metavar="COUNTRY", help="two-letter country code")


def _subject(args) -> dict:
    return dict(email=args.E, org_unit=args.OU, org=args.O, locality=args.L, state=args.S, country=args.C)


def create_ca_main(argv=None) -> int:
    p = _parser(
        "create_ca.sh",
        "create_ca.sh [-keySz KEY_SIZE] [-dgst DIGEST] [-time VALID_TIME] -CN COMMON_NAME "
        "[-E EMAIL] [-OU ORG_UNIT] [-O ORGANIZATION] [-L LOCALITY] [-S STATE] [-C COUNTRY]",
    )
    _common(p, DEFAULT_CA_DAYS)
    args = p.parse_args(argv)

    def work(a):
        made = create_ca(Path("."), a.CN, key_size=a.keySz, digest=a.dgst, days=a.time, naming=Naming.SCRIPT, **_subject(a))
        output.created_ca(made)

    return run(work, args, "create_ca.sh")


def create_cert_main(argv=None) -> int:
    p = _parser(
        "create_cert.sh",
        "create_cert.sh [-keySz KEY_SIZE] [-time VALID_TIME] [-dgst DIGEST] -host HOST_NAME "
        "-CN COMMON_NAME [-IP HOST_IP] [-E EMAIL] [-OU ORG_UNIT] [-O ORGANIZATION] [-L LOCALITY] "
        '[-S STATE] [-C COUNTRY] [-SANDomain "list"] [-SANip "list"] [-profile server|gui]',
    )
    add_request_options(p)
    args = p.parse_args(argv)

    def work(a):
        request = HostRequest.from_values({f.name: getattr(a, f.name) for f in FIELDS}, naming=Naming.SCRIPT)
        output.issued(load_ca(Path(".")).issue_request(request, naming=Naming.SCRIPT))

    return run(work, args, "create_cert.sh")


#: create_cert.sh's own spellings beside FIELDS' (the guide writes -SANDomain, some copies -SANdomain)
_ALIASES = {"san_domains": ("-SANdomain",)}


def add_request_options(p) -> None:
    """create_cert.sh's options, in the guide's order, from the one declaration (authority.request.FIELDS)."""
    for field in FIELDS:
        default = field.default or None
        help_text = field.help + (f" (default {field.default})" if field.default and "default" not in field.help else "")
        p.add_argument(
            field.script,
            *_ALIASES.get(field.name, ()),
            dest=field.name,
            required=field.name in REQUIRED,
            default=default,
            metavar=field.name.upper(),
            help=help_text,
        )


def convert_priv_key_main(argv=None) -> int:
    from genesys_lab.cli.formats import convert_priv_key_script

    return convert_priv_key_script(argv)


if __name__ == "__main__":
    sys.exit(create_cert_main())
