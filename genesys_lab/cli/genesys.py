"""genesys-options, genesys-check, genesys-handshake: Genesys TLS options from the CA, checked, and tried."""

from __future__ import annotations

from pathlib import Path

from genesys_lab.cli.ca import add_ca_dir


def register(sub) -> None:
    p = sub.add_parser(
        "genesys-options", help="print the Genesys TLS options for one certificate, as typed into Configuration Manager / GAX"
    )
    add_ca_dir(p)
    p.add_argument("serial", metavar="SERIAL", help="serial of the application's certificate (e.g. 01)")
    p.add_argument(
        "--platform", choices=["unix", "windows", "java"], default="unix", help="where the application runs (default unix)"
    )
    p.add_argument("--mutual", action="store_true", help="the port demands client certificates (tls-mutual=1)")
    p.add_argument(
        "--target-name-check", action="store_true", help="clients check the server's host name (tls-target-name-check=host)"
    )
    p.add_argument("--crl", action="store_true", help="check peers against the CA's ca_conf/crl.pem (tls-crl)")
    p.set_defaults(func=cmd_options)

    p = sub.add_parser("genesys-check", help="check a site file's Genesys TLS options against its certificates")
    p.add_argument("site", type=Path, metavar="SITE", help="the site file (TOML)")
    p.add_argument("--ca-dir", type=Path, help="the CA folder, to match Windows thumbprints to its certificates")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("genesys-handshake", help="run a real TLS handshake on 127.0.0.1 from a connection's Genesys options")
    p.add_argument("site", type=Path, metavar="SITE", help="the site file (TOML)")
    p.add_argument("connection", metavar="CONNECTION", help='the client application, or "client -> server:port"')
    p.add_argument("--ca-dir", type=Path, help="the CA folder, to find the files of Windows thumbprints")
    p.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for the peer (default 5)")
    p.set_defaults(func=cmd_handshake)


def _ca(folder):
    if folder is None:
        return None
    from genesys_lab.authority.ca import load_ca

    return load_ca(folder)


def cmd_options(args) -> int:
    from genesys_lab.authority.ca import load_ca
    from genesys_lab.genesys.generate import genesys_options

    generated = genesys_options(
        load_ca(args.ca_dir),
        args.serial,
        args.platform,
        mutual=args.mutual,
        target_name_check=args.target_name_check,
        crl=args.crl,
    )
    print(generated.render())
    return 0


def cmd_check(args) -> int:
    from genesys_lab.genesys.sitefile import load_site
    from genesys_lab.genesys.validate import Severity, check_site

    site = load_site(args.site)
    findings = check_site(site, ca=_ca(args.ca_dir))
    for finding in findings:
        print(finding)
    count = {s: sum(f.severity is s for f in findings) for s in Severity}
    print(f"{args.site}: {count[Severity.ERROR]} error(s), {count[Severity.WARNING]} warning(s), {count[Severity.SKIP]} skipped")
    return 1 if count[Severity.ERROR] else 0


def cmd_handshake(args) -> int:
    from genesys_lab.genesys.handshake import handshake_connection
    from genesys_lab.genesys.sitefile import load_site

    site = load_site(args.site)
    result = handshake_connection(site, args.connection, ca=_ca(args.ca_dir), timeout=args.timeout)
    print(result.summary())
    return 0 if result.ok else 1
