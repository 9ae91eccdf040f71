"""handshake: a real TLS handshake between two of the CA's certificates."""

from __future__ import annotations

from genesys_lab.cli.ca import add_ca_dir, load_ca


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


def cmd_handshake(args) -> int:
    from genesys_lab.checks.tls import handshake_with_ca

    result = handshake_with_ca(
        load_ca(args.ca_dir),
        args.server,
        args.client,
        hostname=args.hostname,
        crl=args.crl,
        tls_version=args.tls,
        timeout=args.timeout,
    )
    print(f"handshake: {result.summary()}")
    print(f"  server: {result.server}")
    print(f"  client: {result.client}")
    return 0 if result.ok else 1
