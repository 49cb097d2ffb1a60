"""The series' commands: ``python -m collectivisation build | bench | grade | site | link | canary``.

Each command imports its own (heavier) modules only when it runs, so that ``import collectivisation`` in a
notebook stays light.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _build(args: argparse.Namespace) -> int:
    from .build import BuildError, build
    from .paths import ROOT

    try:
        changed = build(check=args.check, run=not args.no_run, only=[Path(name) for name in args.notebooks])
    except BuildError as error:
        print(error)
        return 1
    names = ", ".join(str(path.relative_to(ROOT)) for path in changed)
    if args.check:
        if changed:
            print(f"Out of date: {names}. Run `python -m collectivisation build` and commit the result.")
            return 1
        print("Everything generated is up to date.")
        return 0
    print(f"Rewrote: {names}." if changed else "Nothing to change.")
    return 0


def _bench(args: argparse.Namespace) -> int:
    import json

    from .bench import bench_grading, bench_suite, main

    if args.grading:
        report = bench_grading(args.grading)
        print(json.dumps(report, indent=2))
        return 0 if report["ratio"] <= report["goal_ratio"] else 1
    if args.load:
        from .bench import default_notebooks
        from .load import report as load_report
        from .paths import ROOT

        paths = [Path(name).resolve() for name in args.notebooks] or default_notebooks()
        report = load_report(paths, ROOT)
        print(json.dumps(report, indent=2))
        return 1 if any(figures["over_budget"] for figures in report["notebooks"].values()) else 0
    if args.suite:
        report = bench_suite(args.runs)
        print(json.dumps(report, indent=2))
        suite = report["suite"]
        return 0 if suite["pytest_exit_code"] == 0 and suite["ratio"] <= report["goal_ratio"] else 1
    return main(args.runs, args.notebooks)


def _grade(args: argparse.Namespace) -> int:
    from .grade import RosterError, grade, print_summary, read_roster

    if not args.submissions.is_dir():
        print(f"{args.submissions} is not a folder: give the folder your learning platform exported.")
        return 2
    try:
        roster = read_roster(args.roster) if args.roster else None
    except RosterError as error:
        print(error)
        return 2
    submissions = grade(args.submissions, args.out, limit=args.time_limit, workers=args.workers, roster=roster)
    print_summary(submissions, args.out)
    return 0


def _site(args: argparse.Namespace) -> int:
    from .site import NotOurFolder, build_site

    try:
        pages = build_site(args.out)
    except NotOurFolder as error:
        print(error)
        return 2
    print(f"Wrote {len(pages)} pages and {sum(pages.values())} interactive charts; open {args.out / 'index.html'}")
    return 0


def _link(args: argparse.Namespace) -> int:
    from .links import binder_link, hub_link, repository_address

    repo = args.repo or repository_address()
    if not repo:
        print("This copy of the series has no public address (PUBLISHED_AT in collectivisation/tools/links.py is not "
              "set, and git remote 'origin' is not a web address). Give the address of the repository your students "
              "should get, e.g. --repo https://github.com/OWNER/NAME")
        return 2
    print(f"Binder:     {binder_link(repo, notebook=args.notebook)}")
    if args.hub:
        print(f"JupyterHub: {hub_link(args.hub, repo, branch=args.branch, notebook=args.notebook)}")
    return 0


def _canary(args: argparse.Namespace) -> int:
    from .canary import canary

    return canary(keep=args.keep, notebooks=[Path(name).resolve() for name in args.notebooks])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m collectivisation", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build", help="regenerate navigation and outputs of the notebooks")
    build.add_argument("--check", action="store_true", help="change nothing; fail if anything is out of date")
    build.add_argument("--no-run", action="store_true", help="write navigation only, keep the outputs")
    build.add_argument("notebooks", nargs="*", help="only these notebooks (default: all)")
    build.set_defaults(func=_build)

    bench = commands.add_parser("bench", help="time every notebook against the floor and print JSON")
    bench.add_argument("--runs", type=int, default=5, help="runs of each notebook (default 5)")
    bench.add_argument("--grading", type=int, metavar="N", default=0,
                       help="instead: time grading N synthetic submissions against running them bare")
    bench.add_argument("--load", action="store_true",
                       help="instead: each notebook's estimated class time by the stated rule, and the core budget")
    bench.add_argument("--suite", action="store_true",
                       help="instead: time one whole pytest run against the floor (goal: at most 25 floors)")
    bench.add_argument("notebooks", nargs="*", help="notebooks to time (default: all of notebooks/ and solutions/)")
    bench.set_defaults(func=_bench)

    grade = commands.add_parser("grade", help="grade a folder of students' notebooks")
    grade.add_argument("submissions", type=Path, help="the folder the learning platform exported (only read)")
    grade.add_argument("--out", type=Path, required=True, help="where to write grades.csv, summary.csv, answers/")
    grade.add_argument("--time-limit", type=float, default=120, help="seconds each notebook may run (default 120)")
    grade.add_argument("--workers", type=int, default=None, help="notebooks graded at once (default: all cores)")
    grade.add_argument("--roster", type=Path, default=None,
                       help="a CSV with columns pattern, name, id: files whose path contains pattern (or matches it "
                            "as a glob) are that student's")
    grade.set_defaults(func=_grade)

    site = commands.add_parser("site", help="build a static website of the series with live charts")
    site.add_argument("--out", type=Path, default=Path("site"), help="the folder to write (default: site)")
    site.set_defaults(func=_site)

    link = commands.add_parser("link", help="print Binder and JupyterHub (nbgitpuller) links to the series")
    link.add_argument("--hub", help="your JupyterHub's address, e.g. https://hub.school.example")
    link.add_argument("--repo", help="the repository's public address "
                                      "(default: PUBLISHED_AT in links.py, else git remote origin)")
    link.add_argument("--branch", default="main", help="the branch students get (default: main)")
    link.add_argument("--notebook", default="notebooks/00_start_here.ipynb", help="the notebook to open")
    link.set_defaults(func=_link)

    canary = commands.add_parser("canary", help="run every notebook on the newest releases of its packages and "
                                                "list each error, warning and changed output")
    canary.add_argument("--keep", type=Path, metavar="DIR",
                        help="keep the environment and the executed notebooks in DIR (and reuse them next time)")
    canary.add_argument("notebooks", nargs="*", help="only these notebooks (default: notebooks/, solutions/, exercises/)")
    canary.set_defaults(func=_canary)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
