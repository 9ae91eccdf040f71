"""The simulated Windows machine's core: stores, entries, thumbprints, keys, refusals."""

from __future__ import annotations

import json
import stat

import pytest
from helpers import run_tool, snapshot

from genesys_lab.errors import GenesysLabError, UsageError
from genesys_lab.windows import (
    AmbiguousThumbprintError,
    MachineError,
    NotInStoreError,
    StoreEntry,
    load_machine,
    new_machine,
    normalize_thumbprint,
    open_remote,
    parse_store,
)
from genesys_lab.x509.keys import load_private_key_file


@pytest.fixture
def machine(tmp_path):
    return new_machine(tmp_path / "ws01", "WS01", version="2019")


def _key(issued):
    return load_private_key_file(issued.key_file)


def test_new_machine_is_empty_and_loads_back(machine, tmp_path):
    again = load_machine(tmp_path / "ws01")
    assert (again.name, again.version.value, again.entries()) == ("WS01", "2019", [])
    assert stat.S_IMODE((tmp_path / "ws01" / "keys").stat().st_mode) == 0o700


def test_add_certificate_records_what_windows_keeps(machine, server_cert):
    entry = machine.add_certificate(
        "LocalMachine\\My",
        server_cert.certificate,
        _key(server_cert),
        exportable=True,
        friendly_name="host",
        key_readers=["LAB\\svc-genesys"],
    )
    assert isinstance(entry, StoreEntry)
    assert (entry.store, entry.has_private_key, entry.exportable, entry.friendly_name) == ("LocalMachine\\My", True, True, "host")
    assert entry.key_readers == ("SYSTEM", "Administrators", "LAB\\svc-genesys")
    key_file = machine.folder / "keys" / f"{entry.container}.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    reloaded = load_machine(machine.folder).entries("localmachine/personal")
    assert [e.thumbprint for e in reloaded] == [entry.thumbprint]
    assert reloaded[0].certificate == server_cert.certificate


def test_thumbprint_is_openssl_sha1_fingerprint(machine, server_cert, openssl):
    entry = machine.add_certificate("CurrentUser\\My", server_cert.certificate)
    out = run_tool(openssl, "x509", "-in", server_cert.cert_file, "-noout", "-fingerprint", "-sha1").stdout
    assert entry.thumbprint == out.strip().split("=", 1)[1].replace(":", "")
    assert entry.thumbprint == entry.thumbprint.upper() and len(entry.thumbprint) == 40


def test_same_certificate_not_added_twice_but_gains_its_key(machine, server_cert):
    first = machine.add_certificate("LocalMachine\\My", server_cert.certificate)
    assert not first.has_private_key
    machine.add_certificate("LocalMachine\\My", server_cert.certificate)
    assert len(machine.entries("LocalMachine\\My")) == 1
    with_key = machine.add_certificate("LocalMachine\\My", server_cert.certificate, _key(server_cert))
    assert with_key.has_private_key and len(machine.entries()) == 1


def test_same_certificate_in_two_stores_is_ambiguous(machine, session_ca):
    machine.add_certificate("LocalMachine\\Root", session_ca.certificate)
    machine.add_certificate("CurrentUser\\Root", session_ca.certificate)
    thumb = machine.entries()[0].thumbprint
    with pytest.raises(AmbiguousThumbprintError, match="name the store"):
        machine.find(thumb)
    assert machine.find(thumb, store="CurrentUser\\Root").store == "CurrentUser\\Root"


def test_find_accepts_pasted_thumbprints(machine, server_cert):
    entry = machine.add_certificate("LocalMachine\\My", server_cert.certificate)
    pasted = "\u200e" + " ".join(entry.thumbprint[i : i + 2] for i in range(0, 40, 2)).lower()
    assert machine.find(pasted) == entry
    found = normalize_thumbprint(pasted)
    assert found.value == entry.thumbprint
    assert any("U+200E" in p for p in found.problems)
    assert any("spaces" in p for p in found.problems) and any("lower-case" in p for p in found.problems)
    assert normalize_thumbprint(entry.thumbprint).clean


@pytest.mark.parametrize("bad", ["12345", "zz" * 20, ""])
def test_bad_thumbprints_refused(bad):
    with pytest.raises(UsageError):
        normalize_thumbprint(bad)


def test_no_match_refused(machine):
    with pytest.raises(NotInStoreError, match="no certificate with thumbprint"):
        machine.find("00" * 20)


@pytest.mark.parametrize("name", ["LocalMachine\\TrustedPeople", "Machine\\My", "My", "Cert:\\LocalMachine"])
def test_unknown_store_refused_and_nothing_changed(machine, server_cert, name):
    before = snapshot(machine.folder)
    with pytest.raises(UsageError, match="not a certificate store"):
        machine.add_certificate(name, server_cert.certificate)
    assert snapshot(machine.folder) == before


def test_store_names_people_type():
    assert str(parse_store("Cert:\\LocalMachine\\My")) == "LocalMachine\\My"
    assert str(parse_store("currentuser/trusted root certification authorities")) == "CurrentUser\\Root"
    assert parse_store("LocalMachine\\CA").kind.display_name == "Intermediate Certification Authorities"


def test_key_of_another_certificate_refused(machine, server_cert, gui_cert):
    before = snapshot(machine.folder)
    with pytest.raises(UsageError, match="does not belong"):
        machine.add_certificate("LocalMachine\\My", server_cert.certificate, _key(gui_cert))
    assert snapshot(machine.folder) == before


def test_not_a_machine_folder_refused(tmp_path):
    with pytest.raises(MachineError, match="not a simulated Windows machine"):
        load_machine(tmp_path)
    (tmp_path / "machine.json").write_text('{"format": "something else"}')
    with pytest.raises(MachineError, match="not a genesys-lab machine file"):
        load_machine(tmp_path)
    with pytest.raises(GenesysLabError):
        load_machine(tmp_path / "missing")


def test_key_file_that_does_not_match_is_refused(machine, server_cert, gui_cert):
    entry = machine.add_certificate("LocalMachine\\My", server_cert.certificate, _key(server_cert))
    key_file = machine.folder / "keys" / f"{entry.container}.key"
    key_file.write_bytes(gui_cert.key_file.read_bytes())
    with pytest.raises(MachineError, match="does not match its certificate"):
        load_machine(machine.folder)


def test_tampered_certificate_file_refused(machine, server_cert, gui_cert):
    entry = machine.add_certificate("LocalMachine\\My", server_cert.certificate)
    from cryptography.hazmat.primitives.serialization import Encoding

    (machine.folder / "certs" / f"{entry.thumbprint}.cer").write_bytes(gui_cert.certificate.public_bytes(Encoding.DER))
    with pytest.raises(MachineError, match="does not hold the certificate"):
        load_machine(machine.folder)


def test_new_machine_refuses_existing_folder(machine, tmp_path):
    with pytest.raises(MachineError, match="already holds the machine WS01"):
        new_machine(machine.folder, "WS02")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(MachineError, match="not an empty folder"):
        new_machine(tmp_path / "full", "WS02")


@pytest.mark.parametrize("name", ["", "THIS-NAME-IS-TOO-LONG", "bad name", "a_b"])
def test_bad_computer_name_refused(tmp_path, name):
    with pytest.raises(UsageError, match="computer name"):
        new_machine(tmp_path / "m", name)
    assert not (tmp_path / "m").exists()


def test_unknown_version_refused(tmp_path):
    with pytest.raises(UsageError, match="2016, 2019, 2022"):
        new_machine(tmp_path / "m", "WS01", version="2012")


def test_another_computer_is_read_only(machine, server_cert):
    machine.add_certificate("LocalMachine\\My", server_cert.certificate)
    remote = open_remote(machine.folder)
    assert len(remote.entries()) == 1
    before = snapshot(machine.folder)
    with pytest.raises(MachineError, match="read-only"):
        remote.add_certificate("LocalMachine\\Root", server_cert.certificate)
    assert snapshot(machine.folder) == before


def test_grant_and_delete_key(machine, server_cert):
    entry = machine.add_certificate("LocalMachine\\My", server_cert.certificate, _key(server_cert))
    granted = machine.grant_key_access(entry, "NT AUTHORITY\\NETWORK SERVICE")
    assert granted.key_readers[-1] == "NT AUTHORITY\\NETWORK SERVICE"
    gone = machine.delete_key(granted)
    assert not gone.has_private_key and gone.key_readers == ()
    assert list((machine.folder / "keys").iterdir()) == []
    assert not load_machine(machine.folder).entries()[0].has_private_key


def test_index_is_json_naming_each_entry(machine, session_ca):
    machine.add_certificate("LocalMachine\\Root", session_ca.certificate, friendly_name="Lab CA")
    data = json.loads((machine.folder / "machine.json").read_text())
    assert data["entries"][0]["store"] == "LocalMachine\\Root" and data["entries"][0]["friendly_name"] == "Lab CA"


def test_a_change_that_fails_half_way_leaves_nothing(machine, server_cert, monkeypatch):
    """Certificate and key files are written in the same transaction as machine.json: all or nothing."""
    from genesys_lab.windows import machine as module

    before = snapshot(machine.folder)
    real = module._index_bytes

    def broken(data):
        if data["entries"]:
            raise OSError(28, "No space left on device")
        return real(data)

    monkeypatch.setattr(module, "_index_bytes", broken)
    with pytest.raises(OSError):
        machine.add_certificate("LocalMachine\\My", server_cert.certificate, _key(server_cert))
    monkeypatch.undo()
    assert snapshot(machine.folder) == before
    assert load_machine(machine.folder).entries() == []
