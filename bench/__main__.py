"""``make bench``: run every job, print one table, save JSON to bench/results/, refresh bench/README.md."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
from pathlib import Path

from . import class_jobs, command_jobs, crl_jobs, issue_jobs, notebook_jobs, site_jobs, verify_jobs
from .harness import machine

HERE = Path(__file__).resolve().parent


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--runs", type=int, default=9, help="runs per measurement; the median is reported")
    parser.add_argument("--hosts", type=int, default=200, help="inventory size for job 3")
    parser.add_argument("--only", help="comma-separated job numbers, e.g. 1,2")
    parser.add_argument("--no-readme", action="store_true", help="do not rewrite the table in bench/README.md")
    args = parser.parse_args(argv)
    only = set(args.only.split(",")) if args.only else None
    work = HERE / "work"
    results = []
    ws = issue_jobs.Workspace(work / "issue")

    def wanted(number: str) -> bool:
        return only is None or number in only

    if wanted("1"):
        results += issue_jobs.job_issue_in_process(ws, args.runs)
    if wanted("2") or wanted("7"):
        results += issue_jobs.job_issue_command(ws, args.runs)
    if wanted("3"):
        results.append(issue_jobs.job_inventory(ws, args.hosts))
    if wanted("4") or wanted("7"):
        results += crl_jobs.run_jobs(work, args)
    if wanted("5"):
        results += verify_jobs.run_jobs(work, args)
    if wanted("6"):
        results += notebook_jobs.run_jobs(work, args)
    if wanted("9"):
        results += class_jobs.run_jobs(work, args)
    if wanted("10"):
        results += site_jobs.run_jobs(work, args)
    if wanted("8"):
        results += command_jobs.run_jobs(work, args)
    table = render(results)
    print(table)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = HERE / "results" / f"{stamp}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(
        json.dumps({"when": stamp, "machine": machine(), "runs": args.runs, "results": [r.to_dict() for r in results]}, indent=2)
    )
    print(f"\nwrote {out.relative_to(HERE.parent)}")
    if not args.no_readme:
        _update_readme(table, stamp)
    return 0


def render(results) -> str:
    def fmt(value, unit):
        if value is None:
            return "-"
        return f"{value:.1f} MiB" if unit == "MiB" else f"{value * 1000:.1f} ms" if value < 10 else f"{value:.2f} s"

    rows = [["job", "genesys_lab", "baseline", "ratio", "target", "met", "note"]]
    for r in results:
        rows.append(
            [
                r.job,
                fmt(r.lab, r.unit),
                fmt(r.openssl, r.unit),
                "-" if r.ratio is None else f"{r.ratio:.2f}",
                "-" if r.target is None else f"<= {r.target}",
                {True: "yes", False: "NO", None: "-"}[r.met],
                r.note,
            ]
        )
    lines = ["| " + " | ".join(row) + " |" for row in rows]
    lines.insert(1, "|" + "---|" * len(rows[0]))
    return "\n".join(lines)


def _update_readme(table: str, stamp: str) -> None:
    readme = HERE / "README.md"
    text = readme.read_text()
    block = f"<!-- results -->\nLatest run: {stamp} (`bench/results/{stamp}.json`)\n\n{table}\n<!-- /results -->"
    readme.write_text(re.sub(r"<!-- results -->.*<!-- /results -->", lambda m: block, text, flags=re.S))


if __name__ == "__main__":
    raise SystemExit(main())
