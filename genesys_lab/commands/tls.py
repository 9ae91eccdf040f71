"""handshake (a real TLS handshake between two of the CA's certificates) and renew."""
from __future__ import annotations

from ..ca import load_ca
from .ca import add_ca_dir
from . import output


def register(sub) -> None:
    p = sub.add_parser("handshake", help="run a real TLS handshake on 127.0.0.1 between the CA's certificates")
    add_ca_dir(p)
    p.add_argument("--server", required=True, metavar="SERIAL", help="serial of the server's certificate (e.g. 01)")
    p.add_argument("--client", metavar="SERIAL", help="serial of the client's certificate: mutual TLS")
    p.add_argument("--hostname", help="name the client expects (default: the server certificate's first DNS name)")
    p.add_argument("--crl", action="store_true", help="both sides check the CA's current ca_conf/crl.pem")
    p.add_argument("--tls", choices=["1.2", "1.3"], help="pin the protocol version (default: highest both support)")
    p.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for the peer (default 5)")
    p.set_defaults(func=cmd_handshake)

    p = sub.add_parser("renew", help="re-issue a certificate with a new key and serial (same host, subject, SAN, profile)")
    p.add_argument("serial", help="serial of the certificate to renew (e.g. 02)")
    add_ca_dir(p)
    p.add_argument("--revoke-old", action="store_true", help="revoke the old certificate as superseded")
    p.add_argument("--days", help="validity of the new certificate (default: as long as the old one)")
    p.add_argument("--key-size", help="RSA key size (default: the old certificate's)")
    p.add_argument("--digest", help="sha256, sha384, ... (default: the old certificate's)")
    p.set_defaults(func=cmd_renew)


def cmd_handshake(args) -> int:
    from ..tls import handshake_with_ca

    result = handshake_with_ca(load_ca(args.ca_dir), args.server, args.client, hostname=args.hostname,
                               crl=args.crl, tls_version=args.tls, timeout=args.timeout)
    print(f"handshake: {result.summary()}")
    print(f"  server: {result.server}")
    print(f"  client: {result.client}")
    return 0 if result.ok else 1


def cmd_renew(args) -> int:
    from ..renew import renew

    done = renew(load_ca(args.ca_dir), args.serial, revoke_old=args.revoke_old, days=args.days,
                 key_size=args.key_size, digest=args.digest)
    output.issued(done.new)
    print(f"  replaces {done.old_serial}")
    if done.revoked_old:
        print(f"  revoked {done.old_serial} (superseded); publish it with 'genesys-lab gen-crl'")
    return 0
