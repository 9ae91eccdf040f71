"""progress, course workspace / reset / collect: the learner's workspace and progress, and a trainer's table."""

from __future__ import annotations

from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("progress", help="exercises passed of total, per notebook, in a workspace")
    p.add_argument("--workspace", type=Path, help="the workspace folder (default: $GENESYS_LAB_WORKSPACE, ./workspace or .)")
    p.set_defaults(func=cmd_progress)

    course = sub.add_parser("course", help="the learner's working copy of the notebooks, and a class's progress")
    actions = course.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    w = actions.add_parser("workspace", help="make the working copy of notebooks/ (or add new notebooks); never overwrites")
    w.add_argument("--dir", type=Path, help="where (default: $GENESYS_LAB_WORKSPACE or workspace/ beside notebooks/)")
    w.set_defaults(func=cmd_workspace)
    r = actions.add_parser("reset", help="restore one notebook of the workspace from the original (the old copy is kept)")
    r.add_argument("notebook", help="the notebook's number, e.g. 03")
    r.add_argument("--dir", type=Path, help="the workspace (default: as for 'course workspace')")
    r.set_defaults(func=cmd_reset)
    c = actions.add_parser("collect", help="one table of a class's progress files (a trainer's view)")
    c.add_argument("files", nargs="+", type=Path, help="progress.sqlite files or workspaces, one per learner")
    c.add_argument("--csv", type=Path, help="also write the table to this CSV file")
    c.set_defaults(func=cmd_collect)


def cmd_progress(args) -> int:
    from genesys_lab.course.tracking import progress, progress_file

    rows = progress(args.workspace)
    print(f"Progress in {progress_file(args.workspace).parent}")
    for nb in rows:
        if nb.total:
            mark = "done" if nb.done else f"{nb.attempted} attempted" if nb.attempted else ""
            print(f"  {nb.name:<30} {nb.passed} of {nb.total} passed  {mark}".rstrip())
    passed, total = sum(n.passed for n in rows), sum(n.total for n in rows)
    print(f"  {'all notebooks':<30} {passed} of {total} passed")
    return 0


def cmd_workspace(args) -> int:
    from genesys_lab.course.workspace import make_workspace

    report = make_workspace(args.dir)
    print(f"{'Created' if report.created else 'Using'} the workspace {report.root}")
    for name in report.copied:
        print(f"  copied {name}")
    if report.kept:
        print(f"  kept {len(report.kept)} file(s) as they are (genesys-lab course reset NN restores a notebook)")
    return 0


def cmd_reset(args) -> int:
    from genesys_lab.course.workspace import BACKUPS, reset_notebook

    target = reset_notebook(args.notebook, args.dir)
    print(f"Restored {target} from the original; your previous copy is in {target.parent / BACKUPS}")
    return 0


def cmd_collect(args) -> int:
    from genesys_lab.course.tracking import collect_progress

    table = collect_progress(args.files)
    print(table.to_string(index=False) if len(table) else "no answers recorded in these files")
    if args.csv:
        table.to_csv(args.csv, index=False)
        print(f"wrote {args.csv}")
    return 0
