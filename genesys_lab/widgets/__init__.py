"""ipywidgets front ends: look at certificates, run the CA, issue, and break handshakes on purpose.

Widgets only collect input and display results; every action calls the
core (ca, revoke, crl, tls, lint). ipywidgets is imported by this package
only, and lazily: ``genesys_lab.widgets.render`` (static HTML, used by
``_repr_html_``) works without it.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "CertificateInspector": "inspector",
    "CertificateComparison": "inspector",
    "compare": "inspector",
    "CADashboard": "dashboard",
    "IssueForm": "issue_form",
    "HandshakePlayground": "playground",
    "CourseMap": "course_map",
    "CertificateView": "render",
    "ComparisonView": "render",
    "CertificatesConsole": "mmc",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'genesys_lab.widgets' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
