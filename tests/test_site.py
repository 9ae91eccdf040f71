"""A site's procedure: inventory -> certificates, bundles, options, rotation plan, calendar, runbook.

The runbook command runs notebooks/11_site_procedure.ipynb with papermill, as a site would; what it
made is judged by the installation checker, openssl, icalendar and Chromium.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest
from helpers import require_tool, run_tool, snapshot

from genesys_lab.site.inventory import InventoryError, Platform, read_site_inventory
from genesys_lab.site.plan import Action

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv")) / "bin"
HEADER = "host,cn,ip,san_domains,profile,platform,applications\n"
PLATFORMS = ["unix", "windows", "java-pem", "java-keystore"]


def _inventory(count: int, *, change: dict | None = None, drop: str | None = None) -> str:
    lines = [HEADER]
    for n in range(1, count + 1):
        host = f"host{n:02d}.example.com"
        if host == drop:
            continue
        platform = PLATFORMS[n % 4]
        profile = "gui" if platform == "windows" and n % 8 == 1 else "server"
        san = f"alias{n:02d}.example.com"
        row = {"host": host, "cn": f"host{n:02d}", "ip": f"10.0.0.{n}", "san": san, "profile": profile, "platform": platform}
        row.update((change or {}).get(host, {}))
        lines.append(f'{row["host"]},{row["cn"]},{row["ip"]},"{row["san"]}",{row["profile"]},{row["platform"]},App_{n}\n')
    return "".join(lines)


def _runbook(tmp: Path, inventory: str, *extra: str, check=True) -> subprocess.CompletedProcess:
    csv = tmp / "hosts.csv"
    csv.write_text(inventory)
    args = [BIN / "genesys-lab", "runbook", csv, "--out", tmp / "site", "--site", "Test Site", "--no-pdf", *extra]
    return run_tool(*args, cwd=tmp, check=check)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("site")
    proc = _runbook(tmp, _inventory(20))
    return tmp, proc


def _executed_steps(out: Path) -> dict[str, str]:
    """host -> action, read from the runbook's "What this run did" table."""
    text = (out / "runbook.md").read_text()
    table = text.split("## What this run did", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1:-1] for line in table.splitlines() if line.startswith("| host")][1:]
    return {r[0].strip(): r[1].strip() for r in rows}


def test_twenty_hosts_get_bundles_that_pass_the_installation_checker(site, openssl):
    from genesys_lab.install.checker import check_install

    tmp, _ = site
    out = tmp / "site"
    hosts = read_site_inventory(tmp / "hosts.csv")
    assert len(hosts) == 20
    assert {h.platform for h in hosts} == set(Platform)
    for host in hosts:
        folder = out / "bundles" / host.host
        if host.platform is Platform.WINDOWS:
            pfx = next(folder.glob("*_cert.pfx"))
            run_tool(openssl, "pkcs12", "-in", pfx, "-passin", "pass:", "-nokeys", "-noout")
            continue
        password = None
        if host.platform is Platform.JAVA_KEYSTORE:
            secret = folder / "keystore-password.txt"
            assert secret.stat().st_mode & 0o777 == 0o600
            password = secret.read_text().strip()
        report = check_install(
            folder,
            host.platform.value,
            os.getuid(),
            host=host.host,
            ca=out / "ca" / "ca_conf" / "ca_cert.pem",
            storepass=password,
            trustpass=password,
        )
        assert report.ok, (host.host, [(r.check, r.why) for r in report.failures])


def test_the_runbook_names_every_host_thumbprint_and_renewal_date_and_no_secret(site):
    from genesys_lab import describe

    tmp, _ = site
    out = tmp / "site"
    html = (out / "runbook.html").read_text()
    md = (out / "runbook.md").read_text()
    passwords = [p.read_text().strip() for p in (out / "bundles").glob("*/keystore-password.txt")]
    assert passwords
    for host in read_site_inventory(tmp / "hosts.csv"):
        info = describe(_repository_cert(out, host.host))
        renew_on = (info.not_after - dt.timedelta(days=30)).date().isoformat()
        for doc in (html, md):
            assert host.host in doc and info.thumbprint_sha1.upper() in doc and renew_on in doc
    for doc in (html, md, (out / "site_procedure.ipynb").read_text()):
        assert "-----BEGIN" not in doc  # no PEM at all, let alone a key
        assert not any(p in doc for p in passwords)


def _repository_cert(out: Path, host: str) -> Path:
    short = host.split(".")[0]
    return sorted((out / "ca" / "ca_conf" / "repository").glob(f"*_{short}_cert.pem"))[-1]


def test_the_calendar_has_one_event_per_certificate_on_its_renewal_date(site):
    import icalendar

    from genesys_lab import describe

    tmp, _ = site
    out = tmp / "site"
    cal = icalendar.Calendar.from_ical((out / "rotation.ics").read_bytes())
    events = list(cal.walk("VEVENT"))
    hosts = read_site_inventory(tmp / "hosts.csv")
    assert len(events) == len(hosts)
    by_host = {str(e["summary"]).split(" of ")[1].split(" ")[0]: e for e in events}
    for host in hosts:
        info = describe(_repository_cert(out, host.host))
        event = by_host[host.host]
        assert event.decoded("dtstart") == (info.not_after - dt.timedelta(days=30)).date()
        assert [a.decoded("trigger") for a in event.walk("VALARM")] == [dt.timedelta(days=-7)]


def test_the_runbook_renders_in_chromium(site):
    chromium = require_tool("chromium")
    tmp, _ = site
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    shot = artifacts / "site_runbook.png"
    run_tool(
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-first-run",
        f"--user-data-dir={tmp / 'chromium'}",
        "--window-size=1200,2400",
        f"--screenshot={shot}",
        (tmp / "site" / "runbook.html").as_uri(),
    )
    assert shot.stat().st_size > 20_000
    dump = run_tool(
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-first-run",
        f"--user-data-dir={tmp / 'chromium'}",
        "--dump-dom",
        (tmp / "site" / "runbook.html").as_uri(),
    ).stdout
    assert "host01.example.com" in dump and "Rotation plan" in dump and "<svg" in dump


def test_a_rerun_keeps_unchanged_hosts_replaces_a_changed_one_and_lists_a_removed_one(tmp_path):
    _runbook(tmp_path, _inventory(6))
    out = tmp_path / "site"
    first = {line for line in (out / "ca" / "ca_conf" / "ca.db").read_text().splitlines()}
    _runbook(tmp_path, _inventory(6))
    assert set(_executed_steps(out).values()) == {"keep"}
    assert {line for line in (out / "ca" / "ca_conf" / "ca.db").read_text().splitlines()} == first
    changed = _inventory(
        6, change={"host03.example.com": {"san": "alias03.example.com,new03.example.com"}}, drop="host05.example.com"
    )
    _runbook(tmp_path, changed)
    steps = _executed_steps(out)
    assert steps.pop("host03.example.com") == Action.REPLACE.value
    assert steps.pop("host05.example.com") == Action.REVOKE.value
    assert set(steps.values()) == {"keep"}
    db = (out / "ca" / "ca_conf" / "ca.db").read_text().splitlines()
    assert len(db) == 7 and all(line.startswith("V") for line in db)  # listed, not revoked
    assert "genesys-lab revoke 05 --reason cessationOfOperation" in (out / "runbook.md").read_text()
    _runbook(tmp_path, changed, "--revoke")
    statuses = {line.split("\t")[3]: line[0] for line in (out / "ca" / "ca_conf" / "ca.db").read_text().splitlines()}
    assert statuses["03"] == "R" and statuses["05"] == "R" and statuses["07"] == "V"  # 07 replaced 03
    assert (out / "ca" / "ca_conf" / "crl.pem").exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            HEADER + "a.example.com,a,10.0.0.1,,server,unix,\na.example.com,a2,10.0.0.2,,server,unix,\n",
            "line 3: host a.example.com is already on line 2",
        ),
        (HEADER + "a.example.com,a,10.0.0.300,,server,unix,\n", "line 2: ip '10.0.0.300' is not an IP address"),
        (HEADER + "a.example.com,a,,,server,solaris,\n", "line 2: 'solaris' is not a platform"),
        ("host,cn,ip\na.example.com,a,10.0.0.1\n", "line 1: missing column 'platform'"),
        ("host;cn;platform\na.example.com;a;unix\n", "line 1: the columns are separated by ';'"),
        (HEADER + "a.example.com,a,10.0.0.1,b.example.com,c.example.com,server,unix,\n", "line 2: 8 cells for 7 columns"),
    ],
)
def test_a_bad_inventory_is_refused_with_line_numbers_and_nothing_is_issued(tmp_path, text, expected):
    before = snapshot(tmp_path)
    proc = _runbook(tmp_path, text, check=False)
    assert proc.returncode == 1
    assert expected in proc.stderr and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    after = snapshot(tmp_path)
    after.pop("hosts.csv")
    before.pop("hosts.csv", None)
    assert after == before and not (tmp_path / "site").exists()


def test_every_problem_is_reported_at_once(tmp_path):
    bad = tmp_path / "hosts.csv"
    bad.write_text(HEADER + "x..example.com,x,,,server,unix,\ny.example.com,,,,server,unix,\nz.example.com,z,1.2.3,,gui,mac,\n")
    with pytest.raises(InventoryError) as err:
        read_site_inventory(bad)
    lines = [p.split(":")[0] for p in err.value.problems]
    assert lines == ["line 2", "line 3", "line 4", "line 4"]


def test_a_spreadsheet_saved_with_a_byte_order_mark_is_read(tmp_path):
    """Excel's "CSV UTF-8" starts with a BOM; the header must still be recognised."""
    path = tmp_path / "hosts.csv"
    path.write_bytes("\ufeff".encode() + (HEADER + "a.example.com,a,,,server,unix,\n").encode())
    assert [h.host for h in read_site_inventory(path)] == ["a.example.com"]


def test_a_keystore_password_given_with_passout_is_used_and_never_written_into_documents(tmp_path):
    inventory = HEADER + "j.example.com,j,10.0.0.9,,server,java-keystore,PSDK\n"
    os.environ["SITE_TEST_STOREPASS"] = "s3cret-Keystore-pass"
    try:
        _runbook(tmp_path, inventory, "--passout", "env:SITE_TEST_STOREPASS")
    finally:
        del os.environ["SITE_TEST_STOREPASS"]
    out = tmp_path / "site"
    assert (out / "bundles" / "j.example.com" / "keystore-password.txt").read_text().strip() == "s3cret-Keystore-pass"
    for doc in ("runbook.md", "runbook.html", "site_procedure.ipynb"):
        assert "s3cret-Keystore-pass" not in (out / doc).read_text()
    from genesys_lab.install.checker import check_install

    report = check_install(
        out / "bundles" / "j.example.com",
        "java-keystore",
        os.getuid(),
        host="j.example.com",
        storepass="s3cret-Keystore-pass",
        trustpass="s3cret-Keystore-pass",
    )
    assert report.ok, [(r.check, r.why) for r in report.failures]
