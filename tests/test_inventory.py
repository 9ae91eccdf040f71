"""Issuing a site inventory in one call: every row checked first, one serial each, progress shown."""

import pytest
from helpers import snapshot

from genesys_lab import cli
from genesys_lab.errors import GenesysLabError

ROWS = [dict(host=f"app{i}.example.com", cn=f"app{i}", key_size=1024) for i in range(5)]


def test_issue_many_issues_every_row_in_order(fresh_ca):
    seen = []
    rows = ROWS + [dict(host="gui.example.com", cn="gui", profile="gui", key_size="1024", san_ips="10.0.0.1,10.0.0.2")]
    results = fresh_ca.issue_many(rows, workers=2, progress=lambda done, total, r: seen.append((done, total, r.serial)))
    assert [r.serial for r in results] == ["01", "02", "03", "04", "05", "06"]
    assert [r.host for r in results][:2] == ["app0.example.com", "app1.example.com"]
    assert seen[-1] == (6, 6, "06") and len(seen) == 6
    assert results[-1].profile.value == "gui"
    assert len({r.certificate.public_key().public_numbers().n for r in results}) == 6
    assert len(fresh_ca.paths.db.read_text().splitlines()) == 6


@pytest.mark.parametrize(
    "bad, words",
    [
        (dict(host="bad..host", cn="x"), "request 3"),
        (dict(cn="x"), "host is missing"),
        (dict(host="x.example.com", cn="x", colour="red"), "colour"),
    ],
)
def test_a_bad_row_stops_everything_before_any_work(fresh_ca, bad, words):
    before = snapshot(fresh_ca.paths.root)
    with pytest.raises(GenesysLabError, match=words):
        fresh_ca.issue_many(ROWS[:2] + [bad] + ROWS[2:])
    assert snapshot(fresh_ca.paths.root) == before


def test_create_certs_from_csv(fresh_ca, tmp_path, capsys):
    inventory = tmp_path / "hosts.csv"
    inventory.write_text(
        "host,cn,ip,san_domains,profile,key_size\n"
        'a.example.com,a,10.0.0.1,"a1.example.com,a2.example.com",server,1024\n'
        "b.example.com,b,,,gui,1024\n"
    )
    assert cli.main(["create-certs", str(inventory), "--ca-dir", str(fresh_ca.paths.root)]) == 0
    captured = capsys.readouterr()
    assert "[2/2] 02 b.example.com" in captured.err and "Issued 2 certificates" in captured.out
    from genesys_lab import describe

    info = describe(fresh_ca.paths.repository / "01_a_cert.pem")
    assert info.san_dns == ("a.example.com", "a1.example.com", "a2.example.com") and info.san_ip == ("10.0.0.1",)


def test_inventory_without_header_is_refused(fresh_ca, tmp_path, capsys):
    inventory = tmp_path / "hosts.csv"
    inventory.write_text("a.example.com,a\n")
    assert cli.main(["create-certs", str(inventory), "--ca-dir", str(fresh_ca.paths.root)]) == 1
    assert "header" in capsys.readouterr().err
