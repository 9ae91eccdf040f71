"""A reference solution of the capstone's brief, with the lab's public API only.

The tests prove that it earns full marks; a trainer can read it as one way to do the brief.
"""

from __future__ import annotations

from pathlib import Path

from genesys_lab.exercises.capstone import HOSTS


def solve(
    work: Path,
    *,
    key_size: int = 2048,
    desk_profile: str = "gui",
    revoke_reason: str = "keyCompromise",
    publish_crl: bool = True,
    server_pfx_store: str | None = None,
    runbook_before_reissue: bool = False,
) -> None:
    """The brief, done; the keywords reproduce the classic mistakes the tests show the grader catching.

    ``server_pfx_store="LocalMachine\\My"`` imports the host .pfx with "place all certificates in
    Personal", so its CA certificate lands in Personal instead of Trusted Root; the
    ``runbook_before_reissue`` runbook still shows sip01's leaked certificate.
    """
    from genesys_lab import create_ca, generate_crl, revoke

    (work / "ca").mkdir(parents=True, exist_ok=True)
    ca = create_ca(work / "ca", "Capstone Site CA", key_size=key_size, days=730).ca
    wanted = {
        host: dict(want, profile=desk_profile if host.startswith("desk01") else want["profile"]) for host, want in HOSTS.items()
    }
    issued = {host: ca.issue(host, key_size=key_size, **want) for host, want in wanted.items()}
    if runbook_before_reissue:
        _runbook(work, ca, wanted)
    revoke(ca, issued["sip01.example.com"].serial, revoke_reason)  # the leaked one
    issued["sip01.example.com"] = ca.issue("sip01.example.com", key_size=key_size, **wanted["sip01.example.com"])
    if publish_crl:
        generate_crl(ca)
    _bundles(work, ca, issued)
    _windows(work, ca, issued, server_pfx_store)
    _site_file(work, ca, issued)
    if not runbook_before_reissue:
        _runbook(work, ca, wanted)


def _bundles(work: Path, ca, issued) -> None:
    from genesys_lab.install.bundle import deploy

    (work / "unix").mkdir(exist_ok=True)
    (work / "java").mkdir(exist_ok=True)
    deploy(ca, issued["sip01.example.com"].serial, "unix", work / "unix" / "sip01")
    deploy(ca, issued["psdk01.example.com"].serial, "java-pem", work / "java" / "psdk01")


def _windows(work: Path, ca, issued, server_pfx_store: str | None) -> None:
    from genesys_lab.windows import new_machine
    from genesys_lab.windows.importing import import_file

    (work / "windows").mkdir(exist_ok=True)
    server = new_machine(work / "windows" / "cfg01", "CFG01", version="2019")
    pfx = issued["cfg01.example.com"].pfx_file
    if server_pfx_store:
        import_file(server, pfx, server_pfx_store, confirm=True)  # place all in one store: the CA lands there too
    else:
        import_file(server, ca.paths.pfx, "LocalMachine\\Root", confirm=True)
        import_file(server, pfx, "LocalMachine", automatic=True, confirm=True)
    desktop = new_machine(work / "windows" / "desk01", "DESK01", version="10")
    import_file(desktop, ca.paths.pfx, "CurrentUser\\Root", confirm=True)
    import_file(desktop, issued["desk01.example.com"].pfx_file, "CurrentUser", automatic=True, confirm=True)


def _site_file(work: Path, ca, issued) -> None:
    from genesys_lab.genesys.sitefile import save_site, site_from_dict
    from genesys_lab.x509.describe import describe

    def thumb(path) -> str:
        return describe(path).thumbprint_sha1.upper()

    sip, psdk = issued["sip01.example.com"], issued["psdk01.example.com"]
    java_key = work / "java" / "psdk01" / f"{psdk.serial}_psdk01_priv_key_NEW.pem"
    data = {
        "hosts": {
            "sip01.example.com": {"os": "unix", "options": {"trusted-ca": str(ca.paths.cert)}},
            "cfg01.example.com": {"os": "windows", "machine": "windows/cfg01"},
            "desk01.example.com": {"os": "windows", "machine": "windows/desk01"},
            "psdk01.example.com": {"os": "unix"},
        },
        "applications": {
            "confserv": {
                "kind": "server",
                "host": "cfg01.example.com",
                "options": {"certificate": thumb(issued["cfg01.example.com"].cert_file), "trusted-ca": thumb(ca.paths.cert)},
                "ports": {"secure": {"number": 2021, "options": {"tls": "1"}}},
            },
            "sipserver": {
                "kind": "server",
                "host": "sip01.example.com",
                "options": {"certificate": str(sip.cert_file), "certificate-key": str(sip.key_file)},
                "ports": {"tls": {"number": 5061, "options": {"tls": "1"}}},
            },
            "desktop": {
                "kind": "gui",
                "host": "desk01.example.com",
                "options": {"certificate": thumb(issued["desk01.example.com"].cert_file), "trusted-ca": thumb(ca.paths.cert)},
            },
            "psdkapp": {
                "kind": "java",
                "host": "psdk01.example.com",
                "options": {
                    "certificate": str(psdk.cert_file),
                    "certificate-key": str(java_key),
                    "trusted-ca": str(ca.paths.cert),
                },
            },
        },
        "connections": [
            {"client": "sipserver", "server": "confserv", "port": "secure"},
            {"client": "desktop", "server": "confserv", "port": "secure"},
            {"client": "psdkapp", "server": "sipserver", "port": "tls"},
        ],
    }
    save_site(site_from_dict(data, folder=str(work)), work / "site.toml", overwrite=True)


def _runbook(work: Path, ca, wanted: dict) -> None:
    """The inventory says what was issued, so the runbook's re-run keeps every certificate."""
    from genesys_lab.site.procedure import SiteSettings, run_procedure
    from genesys_lab.site.runbook import write_runbook

    inventory = work / "hosts.csv"
    platforms = {
        "sip01.example.com": "unix",
        "cfg01.example.com": "windows",
        "desk01.example.com": "windows",
        "psdk01.example.com": "java-pem",
    }
    lines = ["host,cn,ip,san_domains,profile,platform"]
    for host, want in wanted.items():
        lines.append(
            f'{host},{want["cn"]},{want["ip"] or ""},"{",".join(want["san_domains"])}",{want["profile"]},{platforms[host]}'
        )
    inventory.write_text("\n".join(lines) + "\n")
    write_runbook(run_procedure(SiteSettings("Example Telecom", inventory, work / "runbook", ca_dir=ca.paths.root, days=365)))
