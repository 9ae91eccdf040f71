"""recreate-conf: write a lost ca_conf/ca.conf again from the CA itself."""

from __future__ import annotations

from pathlib import Path

from genesys_lab.authority.ca import recreate_config


def register(sub) -> None:
    p = sub.add_parser(
        "recreate-conf", help="write a lost ca_conf/ca.conf again, from the CA certificate and its last certificate"
    )
    p.add_argument("--ca-dir", type=Path, default=Path("."), help="the CA directory (default: current directory)")
    p.add_argument("--crl-url", help="the CRL distribution point URL (default: the one the last issued certificate carries)")
    p.set_defaults(func=cmd_recreate_conf)


def cmd_recreate_conf(args) -> int:
    path = recreate_config(args.ca_dir, crl_url=args.crl_url)
    print(f"wrote {path}")
    return 0
