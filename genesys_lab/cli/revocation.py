"""revoke, gen-crl, serve-crl: revocation and CRL publishing from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

from genesys_lab.authority.defaults import DEFAULT_CRL_DAYS
from genesys_lab.authority.reasons import OPENSSL_CA_REASONS
from genesys_lab.cli.ca import add_ca_dir


def register(sub) -> None:
    p = sub.add_parser("revoke", help="revoke a certificate in ca.db (openssl ca -revoke)")
    p.add_argument("certificate", metavar="SERIAL|CERT", help="serial as in the file names (02, 0A) or a certificate file")
    p.add_argument("--reason", help=f"CRL reason: {', '.join(OPENSSL_CA_REASONS)}")
    add_ca_dir(p)
    p.set_defaults(func=cmd_revoke)

    p = sub.add_parser("gen-crl", help="publish the CRL as ca_conf/crl.pem and crl.der (openssl ca -gencrl)")
    p.add_argument("--days", default=DEFAULT_CRL_DAYS, help=f"days until nextUpdate (default {DEFAULT_CRL_DAYS})")
    add_ca_dir(p)
    p.set_defaults(func=cmd_gen_crl)

    p = sub.add_parser("serve-crl", help="serve ca_conf/crl.der over HTTP on 127.0.0.1 until Ctrl-C")
    p.add_argument("--port", help="port (default: the port of the CA's CRL URL, else a free one)")
    p.add_argument("--delay", default=0, help="seconds to hold back each answer, to simulate a slow CDP")
    add_ca_dir(p)
    p.set_defaults(func=cmd_serve_crl)


def _target(value: str):
    """A file argument stays a path (relative to where the user stands); anything else is a serial."""
    path = Path(value)
    return path if path.is_file() else value


def cmd_revoke(args) -> int:
    from genesys_lab.authority.ca import load_ca
    from genesys_lab.authority.revoke import revoke

    done = revoke(load_ca(args.ca_dir), _target(args.certificate), args.reason)
    why = f", reason {done.reason.value}" if done.reason else ""
    print(f"Revoked certificate {done.serial} ({done.subject}) at {done.revoked_at:%Y-%m-%d %H:%M:%S} UTC{why}")
    print("  run 'genesys-lab gen-crl' to publish it in the CRL")
    return 0


def cmd_gen_crl(args) -> int:
    from genesys_lab.authority.ca import load_ca
    from genesys_lab.authority.crl import generate_crl

    ca = load_ca(args.ca_dir)
    info = generate_crl(ca, args.days)
    print(
        f"Published CRL number {info.number} with {info.count} revoked certificate(s), "
        f"next update {info.next_update:%Y-%m-%d %H:%M:%S} UTC"
    )
    for path in (ca.paths.crl_pem, ca.paths.crl_der):
        print(f"  wrote {path}")
    return 0


def cmd_serve_crl(args) -> int:
    import threading

    from genesys_lab.authority.ca import load_ca
    from genesys_lab.authority.crlserver import serve_crl

    ca = load_ca(args.ca_dir)
    with serve_crl(ca, port=args.port, delay=args.delay) as server:
        print(f"Serving {server.crl_file} at {server.url}", flush=True)
        if ca.crl_url and ca.crl_url != server.url:
            print(f"warning: the CA's certificates point at {ca.crl_url}, not at this server", file=sys.stderr)
        if not server.crl_file.exists():
            print("warning: no CRL published yet: run 'genesys-lab gen-crl'", file=sys.stderr)
        print("Press Ctrl-C to stop.", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopped", flush=True)
    return 0
