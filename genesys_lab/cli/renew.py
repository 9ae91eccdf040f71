"""renew: re-issue a certificate with a new key and serial, optionally revoking the old one."""

from __future__ import annotations

from genesys_lab.cli import output
from genesys_lab.cli.ca import add_ca_dir, load_ca


def register(sub) -> None:
    p = sub.add_parser("renew", help="re-issue a certificate with a new key and serial (same host, subject, SAN, profile)")
    p.add_argument("serial", help="serial of the certificate to renew (e.g. 02)")
    add_ca_dir(p)
    p.add_argument("--revoke-old", action="store_true", help="revoke the old certificate as superseded")
    p.add_argument("--days", help="validity of the new certificate (default: as long as the old one)")
    p.add_argument("--key-size", help="RSA key size (default: the old certificate's)")
    p.add_argument("--digest", help="sha256, sha384, ... (default: the old certificate's)")
    p.set_defaults(func=cmd_renew)


def cmd_renew(args) -> int:
    from genesys_lab.authority.renew import renew

    done = renew(
        load_ca(args.ca_dir), args.serial, revoke_old=args.revoke_old, days=args.days, key_size=args.key_size, digest=args.digest
    )
    output.issued(done.new)
    print(f"  replaces {done.old_serial}")
    if done.revoked_old:
        print(f"  revoked {done.old_serial} (superseded); publish it with 'genesys-lab gen-crl'")
    return 0
