"""Genesys TLS options: the model and its precedence, the site file, generated options, every validator
rule, and handshakes driven by the options, with openssl and Python's ssl as the oracles."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

import pytest
from helpers import run_tool

from genesys_lab.authority.ca import create_ca
from genesys_lab.authority.crl import generate_crl
from genesys_lab.authority.revoke import revoke
from genesys_lab.cli.main import main
from genesys_lab.course import samples
from genesys_lab.errors import GenesysLabError, UsageError
from genesys_lab.formats.convert import convert_key
from genesys_lab.genesys.generate import genesys_options
from genesys_lab.genesys.handshake import handshake_connection, what_if, with_option
from genesys_lab.genesys.model import Level, effective_options
from genesys_lab.genesys.options import OptionValueError
from genesys_lab.genesys.sitefile import SiteFileError, dump_site, load_site, save_site, site_from_dict
from genesys_lab.genesys.validate import Severity, check_site, errors

CFG, SIP, DESK, PSDK = "cfg01.lab.example.com", "sip01.lab.example.com", "desk01.lab.example.com", "psdk01.lab.example.com"
REPO = "lab/ca_conf/repository"


class Lab:
    """One CA with the site's certificates, plus the flawed ones the rules need."""

    def __init__(self, root: Path):
        self.root = root
        (root / "lab").mkdir()
        self.ca = create_ca(root / "lab", "Genesys Lab CA").ca
        self.cfg = self.ca.issue(CFG, "cfg01")  # 01
        self.sip = self.ca.issue(SIP, "sip01")  # 02
        self.desk = self.ca.issue(DESK, "desk01", profile="gui")  # 03
        self.psdk = self.ca.issue(PSDK, "psdk01")  # 04
        self.old = self.ca.issue("old01.lab.example.com", "old01")  # 05, revoked below
        convert_key(self.psdk.key_file, root / REPO / "04_psdk01_priv_key_NEW.pem", outformat="pkcs8")
        samples.server_only(self.ca, PSDK, "psdk01").write(root, "noclient")
        samples.without_san(self.ca, CFG, "cfg01").write(root, "nosan")
        generate_crl(self.ca, days=1, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=10))
        shutil.copy(self.ca.paths.crl_pem, root / "stale_crl.pem")
        revoke(self.ca, "05")
        generate_crl(self.ca)
        (root / "other").mkdir()
        self.other = create_ca(root / "other", "Someone Else's CA").ca
        self.rogue = self.other.issue(CFG, "cfg01")
        generate_crl(self.other)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    return Lab(tmp_path_factory.mktemp("genesys"))


def site_dict() -> dict:
    """A correct small site: Configuration Server (mutual TLS), SIP Server, a GUI desktop on Windows, a Java PSDK app."""
    ca_pem = "lab/ca_conf/ca_cert.pem"
    return {
        "hosts": {
            CFG: {"os": "unix", "options": {"trusted-ca": ca_pem}},
            SIP: {"os": "unix", "options": {"trusted-ca": ca_pem}},
            DESK: {"os": "windows"},
            PSDK: {"os": "unix"},
        },
        "applications": {
            "confserv": {
                "kind": "server",
                "host": CFG,
                "options": {"certificate": f"{REPO}/01_cfg01_cert.pem", "certificate-key": f"{REPO}/01_cfg01_priv_key.pem"},
                "ports": {"secure": {"number": 2021, "options": {"tls": "1", "tls-mutual": "1"}}, "default": {"number": 2020}},
            },
            "sipserver": {
                "kind": "server",
                "host": SIP,
                "options": {"certificate": f"{REPO}/02_sip01_cert.pem", "certificate-key": f"{REPO}/02_sip01_priv_key.pem"},
                "ports": {"tls": {"number": 5061, "options": {"tls": "1"}}},
            },
            "desktop": {"kind": "gui", "host": DESK, "options": {"certificate": "THUMB-DESK", "trusted-ca": "THUMB-CA"}},
            "psdkapp": {
                "kind": "java",
                "host": PSDK,
                "options": {
                    "certificate": f"{REPO}/04_psdk01_cert.pem",
                    "certificate-key": f"{REPO}/04_psdk01_priv_key_NEW.pem",
                    "trusted-ca": ca_pem,
                },
            },
        },
        "connections": [
            {"client": "sipserver", "server": "confserv", "port": "secure", "options": {"tls-target-name-check": "host"}},
            {"client": "desktop", "server": "confserv", "port": "secure"},
            {"client": "psdkapp", "server": "confserv", "port": "secure"},
            {"client": "psdkapp", "server": "sipserver", "port": "tls"},
        ],
    }


def make_site(lab, data=None):
    from genesys_lab.x509.describe import describe

    data = data or site_dict()
    desk = data["applications"]["desktop"]["options"]
    if desk.get("certificate") == "THUMB-DESK":
        desk["certificate"] = describe(lab.desk.cert_file).thumbprint_sha1.upper()
        desk["trusted-ca"] = describe(lab.ca.paths.cert).thumbprint_sha1.upper()
    return site_from_dict(data, folder=str(lab.root))


def rules(findings, severity=None) -> set[str]:
    return {f.rule for f in findings if severity is None or f.severity is severity}


# ---------------------------------------------------------------- model and precedence


def test_server_precedence_port_then_application_then_host(lab):
    site = make_site(lab)
    site = with_option(site, "host " + CFG, "cipher-list", "HIGH")
    site = with_option(site, "application confserv", "cipher-list", "AESGCM")
    found = effective_options(site, ("confserv", "secure"))
    assert (found["cipher-list"].value, found["cipher-list"].level) == ("AESGCM", Level.APPLICATION)
    assert found["trusted-ca"].level is Level.HOST and found["tls-mutual"].level is Level.PORT
    site = with_option(site, "port confserv:secure", "cipher-list", "ECDHE")
    assert effective_options(site, ("confserv", "secure"))["cipher-list"].value == "ECDHE"


def test_client_precedence_connection_application_host_and_tls_from_the_port(lab):
    site = make_site(lab)
    conn = site.connection("sipserver -> confserv:secure")
    site = with_option(site, "application sipserver", "sec-protocol", "TLSv12")
    found = effective_options(site, conn)
    assert found["sec-protocol"].level is Level.APPLICATION and found["trusted-ca"].owner == SIP
    assert found["tls"].level is Level.PORT and found["tls"].owner == "confserv:secure"
    assert "tls-mutual" not in found  # a port-only setting: the client does not read it
    site = with_option(site, f"connection {conn.label}", "sec-protocol", "TLSv13")
    assert effective_options(site, conn)["sec-protocol"].level is Level.CONNECTION


# ---------------------------------------------------------------- site file


def test_site_file_round_trip(lab, tmp_path):
    site = make_site(lab)
    path = save_site(site, tmp_path / "site.toml")
    again = load_site(path)
    assert again.hosts == site.hosts and again.applications == site.applications and again.connections == site.connections
    assert dump_site(again) == dump_site(site)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("hosts = [", "not valid TOML"),
        ('[hosts.h]\nos = "beos"\n', "os 'beos' is not one of unix, windows"),
        ('[hosts.h]\nos = "unix"\noptions = { sec-protocol = "TLSv14" }\n', "sec-protocol='TLSv14'"),
        ('[hosts.h]\nos = "unix"\noptions = { tls-mutual = "2" }\n', "tls-mutual='2' is not a Boolean"),
        ('[applications.a]\nkind = "server"\nhost = "nowhere"\n', "host 'nowhere', which the site does not define"),
        (
            '[hosts.h]\nos = "unix"\n[applications.a]\nkind = "server"\nhost = "h"\n'
            '[[connections]]\nclient = "a"\nserver = "a"\nport = "secure"\n',
            "has no port 'secure'",
        ),
        (
            '[hosts.h]\nos = "unix"\n[applications.a]\nkind = "server"\nhost = "h"\n[applications.a.ports.p]\nnumber = 70000\n',
            "not a TCP port",
        ),
        ('[hosts.h]\nos = "unix"\ncolour = "red"\n', "unknown key 'colour'"),
    ],
)
def test_bad_site_files_get_one_line(tmp_path, capsys, text, words):
    path = tmp_path / "site.toml"
    path.write_text(text)
    with pytest.raises(SiteFileError, match="site file"):
        load_site(path)
    assert main(["genesys-check", str(path)]) == 1
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1 and "Traceback" not in err


def test_missing_site_file_is_one_line(tmp_path, capsys):
    assert main(["genesys-check", str(tmp_path / "none.toml")]) == 1
    assert "does not exist" in capsys.readouterr().err


# ---------------------------------------------------------------- generated options


def test_unix_options_name_files_openssl_accepts(lab, openssl):
    generated = genesys_options(lab.ca, lab.cfg.serial, "unix", mutual=True, target_name_check=True, crl=True)
    opts = generated.options()
    assert generated.transport() == "tls=1;tls-mutual=1"
    assert Path(opts["certificate"]).name == "01_cfg01_cert.pem" and Path(opts["certificate-key"]).name == "01_cfg01_priv_key.pem"
    assert opts["tls-target-name-check"] == "host" and Path(opts["tls-crl"]).name == "crl.pem"
    run_tool(openssl, "verify", "-CAfile", opts["trusted-ca"], "-crl_check", "-CRLfile", opts["tls-crl"], opts["certificate"])
    cert_key = run_tool(openssl, "x509", "-in", opts["certificate"], "-noout", "-pubkey").stdout
    assert run_tool(openssl, "pkey", "-in", opts["certificate-key"], "-pubout").stdout == cert_key


def test_windows_options_give_the_thumbprint_openssl_computes(lab, openssl):
    opts = genesys_options(lab.ca, lab.desk.serial, "windows").options()
    line = run_tool(openssl, "x509", "-in", lab.desk.cert_file, "-noout", "-fingerprint", "-sha1").stdout
    assert opts["certificate"] == line.split("=", 1)[1].strip().replace(":", "")
    assert "certificate-key" not in opts and "trusted-ca" not in opts  # not documented for Windows (SOURCES.md)
    with pytest.raises(GenesysLabError, match="distribution point"):
        genesys_options(lab.ca, lab.desk.serial, "windows", crl=True)


def test_java_options_name_the_pkcs8_key(lab, openssl):
    generated = genesys_options(lab.ca, lab.psdk.serial, "java")
    key = Path(generated.options()["certificate-key"])
    assert key.name == "04_psdk01_priv_key_NEW.pem" and not generated.notes
    assert key.read_text().startswith("-----BEGIN PRIVATE KEY-----")  # PKCS#8, as Java reads it
    run_tool(openssl, "pkey", "-in", key, "-noout")
    notes = genesys_options(lab.ca, lab.sip.serial, "java").notes
    assert any("convert_priv_key.sh -in" in n and "02_sip01_priv_key_NEW.pem" in n for n in notes)


def test_genesys_options_cli(lab, capsys):
    assert main(["genesys-options", "02", "--ca-dir", str(lab.root / "lab"), "--mutual"]) == 0
    out = capsys.readouterr().out
    assert "tls=1;tls-mutual=1" in out and "certificate = " in out and "02_sip01_cert.pem" in out
    assert main(["genesys-options", "99", "--ca-dir", str(lab.root / "lab")]) == 1
    assert capsys.readouterr().err.count("\n") == 1
    with pytest.raises(SystemExit) as usage:
        main(["genesys-options", "02", "--ca-dir", str(lab.root / "lab"), "--platform", "os2"])
    assert usage.value.code == 2


def test_crl_option_needs_a_crl(tmp_path):
    (tmp_path / "ca").mkdir()
    ca = create_ca(tmp_path / "ca", "No CRL CA").ca
    ca.issue(CFG, "cfg01")
    with pytest.raises(GenesysLabError, match="gen-crl"):
        genesys_options(ca, "01", "unix", crl=True)


# ---------------------------------------------------------------- the validator, rule by rule


def test_the_correct_site_has_no_errors_and_every_handshake_succeeds(lab):
    site = make_site(lab)
    findings = check_site(site, ca=lab.ca)
    assert not errors(findings), [str(f) for f in findings]
    for conn in site.connections:
        result = handshake_connection(site, conn, ca=lab.ca)
        assert result.ok, result.summary()


def test_misspelt_options_get_the_right_name(lab):
    site = make_site(lab)
    site = site_from_dict(
        {
            **site_dict(),
            "hosts": {
                **site_dict()["hosts"],
                CFG: {"os": "unix", "options": {"Trusted-CA": "x", "certifcate": "y", "colour": "z"}},
            },
        },
        folder=str(lab.root),
    )
    found = {f.option: f for f in check_site(site) if f.rule == "unknown-option"}
    assert found["Trusted-CA"].fix == "rename it to trusted-ca"
    assert found["certifcate"].fix == "rename it to certificate"
    assert "documented option" in found["colour"].fix and found["colour"].object == f"host {CFG}"


def test_tls_mutual_above_the_port_level(lab):
    data = site_dict()
    data["applications"]["sipserver"]["options"]["tls-mutual"] = "1"
    data["hosts"][SIP]["options"]["tls"] = "1"
    found = [f for f in check_site(make_site(lab, data)) if f.rule == "port-only"]
    assert {(f.object, f.option) for f in found} == {("application sipserver", "tls-mutual"), (f"host {SIP}", "tls")}
    assert "tls-mutual" not in effective_options(make_site(lab, data), ("sipserver", "tls"))  # Genesys reads it on the port only


def test_secure_port_without_certificate(lab):
    data = site_dict()
    del data["applications"]["sipserver"]["options"]["certificate"]
    found = [f for f in check_site(make_site(lab, data)) if f.rule == "no-certificate"]
    assert [f.object for f in found] == ["port sipserver:tls"]


def test_unix_application_without_key_or_trusted_ca(lab):
    data = site_dict()
    del data["applications"]["sipserver"]["options"]["certificate-key"]
    data["hosts"][SIP]["options"] = {}
    found = rules(check_site(make_site(lab, data)), Severity.ERROR)
    assert {"no-certificate-key", "no-trusted-ca"} <= found


def test_certificate_and_key_on_different_levels(lab):
    data = site_dict()
    key = data["applications"]["sipserver"]["options"].pop("certificate-key")
    data["hosts"][SIP]["options"]["certificate-key"] = key
    found = [f for f in check_site(make_site(lab, data)) if f.rule == "split-levels"]
    assert found and found[0].severity is Severity.WARNING and found[0].option == "certificate-key"


def test_files_that_do_not_exist(lab):
    data = site_dict()
    data["applications"]["sipserver"]["options"]["certificate-key"] = f"{REPO}/02_sip01_priv_key.pm"
    found = [f for f in check_site(make_site(lab, data)) if f.rule == "missing-file"]
    # the SIP Server presents the key as a server and as Configuration Server's client (S13)
    assert {(f.object, f.option) for f in found} == {
        ("port sipserver:tls", "certificate-key"),
        ("connection sipserver -> confserv:secure", "certificate-key"),
    }


def test_key_that_does_not_match_the_certificate(lab, openssl):
    data = site_dict()
    data["applications"]["sipserver"]["options"]["certificate-key"] = f"{REPO}/01_cfg01_priv_key.pem"
    found = [f for f in check_site(make_site(lab, data)) if f.rule == "key-mismatch"]
    assert found and found[0].object == "port sipserver:tls"
    cert_key = run_tool(openssl, "x509", "-in", lab.sip.cert_file, "-noout", "-pubkey").stdout
    assert run_tool(openssl, "pkey", "-in", lab.cfg.key_file, "-pubout").stdout != cert_key  # the oracle agrees


def test_server_certificate_from_a_ca_the_client_does_not_trust(lab, openssl):
    data = site_dict()
    data["applications"]["confserv"]["options"]["certificate"] = str(lab.rogue.cert_file)
    data["applications"]["confserv"]["options"]["certificate-key"] = str(lab.rogue.key_file)
    site = make_site(lab, data)
    found = [f for f in check_site(site) if f.rule == "untrusted"]
    assert "connection sipserver -> confserv:secure" in {f.object for f in found}
    assert run_tool(openssl, "verify", "-CAfile", lab.ca.paths.cert, lab.rogue.cert_file, check=False).returncode != 0
    result = handshake_connection(site, "sipserver -> confserv:secure")
    assert not result.ok and result.cause.option == "trusted-ca"


def test_windows_thumbprint_rule_skips_without_the_simulation(lab, monkeypatch):
    data = site_dict()
    data["hosts"][DESK]["machine"] = "machines/desk01"
    monkeypatch.setitem(sys.modules, "genesys_lab.windows", None)  # import fails as if the package were absent
    found = [f for f in check_site(make_site(lab, data)) if f.rule == "windows-store"]
    assert [f.severity for f in found] == [Severity.SKIP] and "not installed" in found[0].why
    del data["hosts"][DESK]["machine"]
    found = [f for f in check_site(make_site(lab, data)) if f.rule == "windows-store"]
    assert found[0].severity is Severity.SKIP and "no machine folder" in found[0].why


@pytest.mark.parametrize(
    ("store", "ok"),
    [("CurrentUser\\My", True), ("LocalMachine\\My", False)],
)
def test_a_desktops_thumbprint_must_be_in_current_user_my(lab, tmp_path, store, ok):
    """The guide: desktop (GUI) applications read the Current User's Personal store; checked on a real simulated machine."""
    from genesys_lab.windows import new_machine

    machine = new_machine(tmp_path / "desk01", "DESK01", version="10")
    machine.add_certificate(store, lab.desk.certificate)
    data = site_dict()
    data["hosts"][DESK]["machine"] = str(tmp_path / "desk01")
    found = [f for f in check_site(make_site(lab, data)) if f.rule == "windows-store"]
    if ok:
        assert found == []
    else:
        assert (
            found[0].severity is Severity.ERROR
            and "CurrentUser\\My" in found[0].why
            and "Current User > Personal" in found[0].fix
        )


def test_a_servers_thumbprint_must_be_in_local_machine_my(lab, tmp_path):
    from genesys_lab.windows import new_machine

    data = site_dict()
    data["hosts"][CFG] = {"os": "windows", "machine": str(tmp_path / "cfg01")}
    thumb = (
        lab.cfg.certificate.fingerprint(__import__("cryptography.hazmat.primitives.hashes", fromlist=["SHA1"]).SHA1())
        .hex()
        .upper()
    )
    data["applications"]["confserv"]["options"] = {"certificate": thumb}
    machine = new_machine(tmp_path / "cfg01", "CFG01")
    machine.add_certificate("CurrentUser\\My", lab.cfg.certificate)
    found = [f for f in check_site(make_site(lab, data)) if f.rule == "windows-store" and f.object == "application confserv"]
    assert found and found[0].severity is Severity.ERROR and "LocalMachine\\My" in found[0].why
    machine.add_certificate("LocalMachine\\My", lab.cfg.certificate)
    assert [f for f in check_site(make_site(lab, data)) if f.rule == "windows-store" and f.object == "application confserv"] == []


def test_mutual_tls_with_a_client_certificate_without_clientauth(lab):
    data = site_dict()
    data["applications"]["psdkapp"]["options"].update(
        certificate="noclient_cert.pem", **{"certificate-key": "noclient_priv_key.pem"}
    )
    site = make_site(lab, data)
    found = [f for f in check_site(site) if f.rule == "mutual-no-clientAuth"]
    assert [f.object for f in found] == ["connection psdkapp -> confserv:secure"]
    result = handshake_connection(site, "psdkapp -> confserv:secure")  # the real server refuses it
    assert not result.ok and result.result.refused_by == "server" and "unsuitable certificate purpose" in result.result.reason
    assert result.cause.option == "tls-mutual" and result.cause.object == "port confserv:secure"
    assert handshake_connection(site, "psdkapp -> sipserver:tls").ok  # not mutual: no client certificate asked


def test_mutual_tls_with_a_client_that_has_no_certificate(lab):
    data = site_dict()
    del data["applications"]["psdkapp"]["options"]["certificate"]
    del data["applications"]["psdkapp"]["options"]["certificate-key"]
    site = make_site(lab, data)
    assert "mutual-no-cert" in rules(check_site(site))
    result = handshake_connection(site, "psdkapp -> confserv:secure")
    assert not result.ok and result.cause.option == "tls-mutual"


def test_server_that_connects_with_a_certificate_without_clientauth(lab):
    data = site_dict()
    data["applications"]["sipserver"]["options"].update(
        certificate="noclient_cert.pem", **{"certificate-key": "noclient_priv_key.pem"}
    )
    found = [f for f in check_site(make_site(lab, data)) if f.rule == "server-no-clientAuth"]
    assert [f.object for f in found] == ["application sipserver"] and found[0].severity is Severity.WARNING


def test_target_name_check_with_a_certificate_whose_san_lacks_the_host(lab):
    data = site_dict()
    data["applications"]["confserv"]["options"].update(certificate="nosan_cert.pem", **{"certificate-key": "nosan_priv_key.pem"})
    site = make_site(lab, data)
    found = [f for f in check_site(site) if f.rule == "target-name"]
    assert [f.object for f in found] == ["connection sipserver -> confserv:secure"] and CFG in found[0].why
    result = handshake_connection(site, "sipserver -> confserv:secure")
    assert not result.ok and result.result.refused_by == "client" and "Hostname mismatch" in result.result.reason
    assert result.cause.option == "tls-target-name-check"
    assert handshake_connection(site, "psdkapp -> confserv:secure").ok  # no name check there


def test_sec_protocol_without_a_common_version(lab):
    site = make_site(lab)
    site = with_option(site, "port confserv:secure", "sec-protocol", "TLSv12")
    site = with_option(site, "application sipserver", "sec-protocol", "TLSv13")
    found = [f for f in check_site(site) if f.rule == "no-common-version"]
    assert [f.object for f in found] == ["connection sipserver -> confserv:secure"]
    result = handshake_connection(site, "sipserver -> confserv:secure")
    assert not result.ok and result.cause.option == "sec-protocol"
    ok = handshake_connection(with_option(site, "application sipserver", "sec-protocol", ""), "sipserver -> confserv:secure")
    assert ok.ok and ok.result.version == "TLSv1.2"


def test_sec_protocol_on_windows_warns_that_windows_settings_win(lab):
    site = with_option(make_site(lab), "application desktop", "sec-protocol", "TLSv12")
    found = [f for f in check_site(site, ca=lab.ca) if f.rule == "windows-protocol"]
    assert found and found[0].object == "application desktop" and found[0].severity is Severity.WARNING


def test_stale_crl(lab, openssl):
    site = with_option(make_site(lab), "application confserv", "tls-crl", "stale_crl.pem")
    found = [f for f in check_site(site) if f.rule == "crl-stale"]
    assert [f.object for f in found] == ["port confserv:secure"]
    proc = run_tool(
        openssl,
        "verify",
        "-CAfile",
        lab.ca.paths.cert,
        "-crl_check",
        "-CRLfile",
        lab.root / "stale_crl.pem",
        lab.sip.cert_file,
        check=False,
    )
    assert proc.returncode != 0 and "CRL has expired" in proc.stdout + proc.stderr
    result = handshake_connection(site, "sipserver -> confserv:secure")
    assert not result.ok and result.cause.option == "tls-crl"


def test_crl_of_another_ca(lab):
    site = with_option(make_site(lab), "application confserv", "tls-crl", "other/ca_conf/crl.pem")
    found = [f for f in check_site(site) if f.rule == "crl-foreign"]
    assert [f.object for f in found] == ["port confserv:secure"]


def test_current_crl_refuses_a_revoked_client(lab):
    data = site_dict()
    data["applications"]["confserv"]["options"]["tls-crl"] = "lab/ca_conf/crl.pem"
    data["applications"]["psdkapp"]["options"].update(
        certificate=f"{REPO}/05_old01_cert.pem", **{"certificate-key": f"{REPO}/05_old01_priv_key.pem"}
    )
    site = make_site(lab, data)
    assert not rules(check_site(site)) & {"crl-stale", "crl-foreign"}
    result = handshake_connection(site, "psdkapp -> confserv:secure")
    assert not result.ok and "revoked" in result.result.reason and result.cause.option == "tls-crl"
    assert handshake_connection(site, "sipserver -> confserv:secure").ok


def test_tls_options_on_a_connection_to_an_unsecured_port(lab):
    data = site_dict()
    data["connections"].append({"client": "sipserver", "server": "confserv", "port": "default", "options": {"trusted-ca": "x"}})
    found = [f for f in check_site(make_site(lab, data)) if f.rule == "insecure-link"]
    assert [f.object for f in found] == ["connection sipserver -> confserv:default"]


def test_every_finding_names_object_option_why_and_fix(lab):
    data = site_dict()
    data["applications"]["sipserver"]["options"]["tls-mutual"] = "1"
    del data["applications"]["sipserver"]["options"]["certificate"]
    for finding in check_site(make_site(lab, data)):
        assert finding.object and finding.option and finding.why and finding.fix
        assert str(finding).startswith(f"{finding.severity.value}: {finding.object}: {finding.option}: ")


def test_genesys_check_cli(lab, tmp_path, capsys):
    good = save_site(make_site(lab), lab.root / "good.toml", overwrite=True)
    assert main(["genesys-check", str(good), "--ca-dir", str(lab.root / "lab")]) == 0
    assert "0 error(s)" in capsys.readouterr().out
    bad = save_site(
        with_option(make_site(lab), "application sipserver", "tls-mutual", "1"), lab.root / "bad.toml", overwrite=True
    )
    assert main(["genesys-check", str(bad)]) == 1
    assert "error: application sipserver: tls-mutual:" in capsys.readouterr().out


def test_genesys_handshake_cli(lab, capsys):
    site = with_option(make_site(lab), "application sipserver", "sec-protocol", "TLSv12")
    path = save_site(with_option(site, "port confserv:secure", "sec-protocol", "TLSv13"), lab.root / "proto.toml", overwrite=True)
    assert main(["genesys-handshake", str(path), "sipserver -> confserv:secure"]) == 1
    assert "caused by sec-protocol=TLSv12 on application sipserver" in capsys.readouterr().out
    assert main(["genesys-handshake", str(path), "nobody"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


# ---------------------------------------------------------------- handshakes and the playground mode


def test_cipher_list_without_a_common_cipher_names_cipher_list(lab):
    site = with_option(make_site(lab), "port confserv:secure", "sec-protocol", "TLSv12")
    site = with_option(site, "port confserv:secure", "cipher-list", "ECDHE-RSA-AES256-GCM-SHA384")
    site = with_option(site, "application sipserver", "cipher-list", "ECDHE-RSA-AES128-GCM-SHA256")
    result = handshake_connection(site, "sipserver -> confserv:secure")
    assert not result.ok and result.cause.option == "cipher-list"
    agreed = with_option(site, "application sipserver", "cipher-list", "ECDHE-RSA-AES256-GCM-SHA384")
    ok = handshake_connection(agreed, "sipserver -> confserv:secure")
    assert ok.ok and ok.result.cipher == "ECDHE-RSA-AES256-GCM-SHA384"


def test_windows_end_uses_the_thumbprint_certificate_of_the_ca(lab):
    site = make_site(lab)
    assert handshake_connection(site, "desktop -> confserv:secure", ca=lab.ca).ok
    with pytest.raises(GenesysLabError, match="trusted-ca"):
        handshake_connection(site, "desktop -> confserv:secure")  # without the CA a thumbprint names no file


def test_what_if_changes_one_option_and_leaves_the_site(lab):
    site = make_site(lab)
    result = what_if(site, "sipserver -> confserv:secure", "connection sipserver -> confserv:secure", "sec-protocol", "TLSv12")
    assert result.ok and result.result.version == "TLSv1.2"
    assert "sec-protocol" not in site.connection("sipserver -> confserv:secure").options


@pytest.mark.parametrize(
    ("obj", "option", "value", "error", "words"),
    [
        ("application sipserver", "tls-mutal", "1", UsageError, "did you mean tls-mutual"),
        ("application sipserver", "sec-protocol", "TLSV12", OptionValueError, "write TLSv12"),
        ("application sipserver", "cipher-list", "NOT-A-CIPHER", OptionValueError, "selects no cipher"),
        ("application sipserver", "tls-target-name-check", "yes", OptionValueError, "host"),
        ("application nobody", "tls", "1", UsageError, "names no object"),
        ("port confserv:nope", "tls", "1", UsageError, "has no port 'nope'"),
    ],
)
def test_bad_option_input_is_one_line(lab, obj, option, value, error, words):
    with pytest.raises(error, match=words) as info:
        with_option(make_site(lab), obj, option, value)
    assert "\n" not in str(info.value)


def test_handshake_on_an_unsecured_port_is_refused(lab):
    data = site_dict()
    data["connections"].append({"client": "sipserver", "server": "confserv", "port": "default"})
    with pytest.raises(UsageError, match="not secure"):
        handshake_connection(make_site(lab, data), "sipserver -> confserv:default")


def test_a_control_character_in_cipher_list_is_one_line(tmp_path):
    path = tmp_path / "site.toml"
    path.write_text('[hosts.h]\nos = "unix"\noptions = { cipher-list = "HIGH\\u0000" }\n')
    with pytest.raises(GenesysLabError, match="control character"):
        load_site(path)


def test_an_unreadable_trusted_ca_is_a_finding_and_the_other_rules_still_run(lab, tmp_path):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"\x00garbage")
    data = site_dict()
    data["hosts"][SIP]["options"]["trusted-ca"] = str(bad)
    data["hosts"][SIP]["options"]["tls-crl"] = str(lab.ca.paths.crl_pem)
    found = check_site(make_site(lab, data))
    assert any(str(bad) in f.why for f in found)
    assert len({f.rule for f in found}) > 1  # the other rules were applied too
