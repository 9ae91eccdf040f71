"""Input checks: each bad value is refused with a message that names it."""

import pytest

from genesys_lab.errors import InvalidNameError
from genesys_lab.x509.names import AltNames, Subject, oneline, parse_oneline, short_host, validate_hostname


@pytest.mark.parametrize("host", ["myHOST.domain1.domain2.com", "a", "9host.example.com", "x-y.example.com"])
def test_good_hosts(host):
    assert validate_hostname(host) == host


@pytest.mark.parametrize(
    "host, words",
    [
        ("../x", "label"),
        ("a/b", "label"),
        ("a..b", "empty label"),
        (".a", "empty label"),
        ("a.", "empty label"),
        ("-a.example.com", "label"),
        ("a_b.example.com", "label"),
        ("h\u00e9.example.com", "label"),
        ("a" * 64 + ".com", "63"),
        (".".join(["a" * 60] * 5), "253"),
        ("", "empty"),
        ("*.example.com", "label"),
    ],
)
def test_bad_hosts_name_the_value(host, words):
    with pytest.raises(InvalidNameError) as err:
        validate_hostname(host)
    assert words in str(err.value)


def test_short_host_is_first_label():
    assert short_host("myHOST.domain1.domain2.com") == "myHOST"


def test_san_deduplicates_trims_and_keeps_order():
    alt = AltNames.for_host(
        "host.example.com", " 10.0.0.5 ", [" a.example.com", "HOST.example.com", "a.example.com"], ["10.0.0.6", "10.0.0.5"]
    )
    assert alt.dns == ("host.example.com", "a.example.com")
    assert alt.ips == ("10.0.0.5", "10.0.0.6")


def test_san_wildcard_allowed_in_extra_domains_only():
    assert AltNames.for_host("h.example.com", None, ["*.example.com"]).dns == ("h.example.com", "*.example.com")


@pytest.mark.parametrize("ips, bad", [(["10.0.0.6", "10.0.0.300"], "10.0.0.300"), (["nope"], "nope")])
def test_bad_san_ip_names_the_item(ips, bad):
    with pytest.raises(InvalidNameError, match=bad):
        AltNames.for_host("h.example.com", None, [], ips)


@pytest.mark.parametrize(
    "kwargs, words",
    [
        (dict(CN="x", C="USA"), "two-letter"),
        (dict(CN="x", C="1A"), "two-letter"),
        (dict(CN="x" * 65), "64"),
        (dict(CN="x", E="not-an-email"), "e-mail"),
        (dict(CN="x", E="a@b..c"), "empty label"),
        (dict(CN=" "), "-CN"),
    ],
)
def test_bad_subject_fields(kwargs, words):
    with pytest.raises(InvalidNameError, match=words):
        Subject(**kwargs)


def test_subject_order_and_country_case():
    s = Subject(CN="n", E="a@b.com", OU="ou", O="o", L="l", S="s", C="us")
    assert [k for k, _ in s.fields()] == ["C", "ST", "L", "O", "OU", "CN", "emailAddress"]
    assert s.C == "US"


def test_oneline_escapes_non_ascii_as_openssl():
    name = Subject(CN="Z\u00fcrich", L="Z\u00fcrich").to_x509()
    assert oneline(name) == "/L=Z\\xC3\\xBCrich/CN=Z\\xC3\\xBCrich"
    assert parse_oneline(oneline(name)) == [("L", "Z\u00fcrich"), ("CN", "Z\u00fcrich")]
