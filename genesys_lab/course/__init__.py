"""The course: notebook helpers, demonstration certificates, handshake scenarios, tables.

Notebooks import these from here; the submodules ``anatomy`` and ``scenarios`` are
imported by their full names (their main functions share the module's name).
Notebooks import these from here (``from genesys_lab.course import scratch, sh``);
loaded on first use, so the package stays cheap to import.
"""

from __future__ import annotations

import importlib

_EXPORTS: dict[str, str] = {
    "scratch": "genesys_lab.course.lab",
    "sh": "genesys_lab.course.lab",
    "show_files": "genesys_lab.course.lab",
    "files": "genesys_lab.course.lab",
    "environment_report": "genesys_lab.course.lab",
    "samples": "genesys_lab.course",
    "prepare_scenarios": "genesys_lab.course.scenarios",
    "run_scenarios": "genesys_lab.course.scenarios",
    "scenario_frame": "genesys_lab.course.scenarios",
    "service_url": "genesys_lab.course.links",
    "behind_hub": "genesys_lab.course.links",
    "to_frame": "genesys_lab.course.tables",
    "records_frame": "genesys_lab.course.tables",
    # the learner's progress and workspace (issue 11)
    "COURSE": "genesys_lab.course.catalog",
    "progress": "genesys_lab.course.tracking",
    "attempts": "genesys_lab.course.tracking",
    "collect_progress": "genesys_lab.course.tracking",
    "make_workspace": "genesys_lab.course.workspace",
    "reset_notebook": "genesys_lab.course.workspace",
    "remove": "genesys_lab.course.lab",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'genesys_lab.course' has no attribute {name!r}")
    if name == "samples":
        value = importlib.import_module("genesys_lab.course.samples")
    else:
        value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
