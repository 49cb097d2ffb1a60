"""The performance harness: how long each notebook takes to run, against a floor that no notebook can beat.

The floor (``benchmarks/floor.ipynb``) starts a kernel, imports pandas and plotly express and shows one
three-point line chart: the cost any charting notebook pays before it does anything of its own. Each notebook is
run in a fresh kernel, interleaved with the floor so that a machine that slows down slows both alike, several times
over; the JSON reports each notebook's median, its ratio to the floor's median, and its size. The series' goal is a
ratio of at most 1.25.

``bench_suite`` measures the maintainers' loop the same way: one whole ``pytest`` run against the floor's median
(goal: at most 25 floors; the suite executes each notebook once, so it should cost about that many notebook runs
shared among the machine's cores).
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

import nbformat

from .build import TIMEOUT_SECONDS, series
from .kernels import notebook_client
from .paths import EXERCISES, FLOOR, ROOT, SERIES_DIRS, SOLUTIONS

GOAL_RATIO = 1.25
SUITE_GOAL_RATIO = 25


def run_seconds(path: Path, allow_errors: bool = False) -> float:
    """Wall-clock seconds to start a kernel and execute ``path`` from an empty folder.

    ``allow_errors`` runs on past failing cells, as grading does with students' notebooks.
    """
    notebook = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as workdir:
        start = time.perf_counter()
        notebook_client(notebook, workdir, timeout=TIMEOUT_SECONDS, allow_errors=allow_errors).execute()
        return time.perf_counter() - start


def bench(notebooks: list[Path], runs: int = 5) -> dict:
    """Median seconds per notebook and per floor run, interleaved: floor, nb1, floor, nb2, … for each run."""
    floor_times: list[float] = []
    times: dict[Path, list[float]] = {path: [] for path in notebooks}
    run_seconds(FLOOR)  # warm the disk cache and the bytecode, so the first measured run is not the odd one out
    for _ in range(runs):
        for path in notebooks:
            floor_times.append(run_seconds(FLOOR))
            times[path].append(run_seconds(path))
    floor = statistics.median(floor_times)
    return {
        "runs": runs,
        "goal_ratio": GOAL_RATIO,
        "floor": {"median_s": round(floor, 3), "min_s": round(min(floor_times), 3)},
        "notebooks": {
            _label(path): {
                "median_s": round(statistics.median(seconds), 3),
                "ratio": round(statistics.median(seconds) / floor, 3),
                "bytes": path.stat().st_size,
            }
            for path, seconds in times.items()
        },
    }


def _label(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def default_notebooks() -> list[Path]:
    return [page.path for folder in SERIES_DIRS for page in series(ROOT / folder)]


def main(runs: int, names: list[str]) -> int:
    notebooks = [Path(name).resolve() for name in names] or default_notebooks()
    report = bench(notebooks, runs)
    print(json.dumps(report, indent=2))
    over = [name for name, figures in report["notebooks"].items() if figures["ratio"] > GOAL_RATIO]
    return 1 if over else 0


def synthetic_class(folder: Path, count: int) -> list[Path]:
    """``count`` submissions as a platform exports them: solutions and blank exercises, renamed per student."""
    import shutil

    pages = [page.path for page in series(ROOT / SOLUTIONS)]
    made = []
    for number in range(count):
        page = pages[number % len(pages)]
        source = page if number % 2 == 0 else ROOT / EXERCISES / page.name
        target = folder / f"student{number:03d}_{page.name}"
        shutil.copy(source, target)
        made.append(target)
    return made


def bench_grading(count: int = 100, workers: int | None = None) -> dict:
    """Seconds to grade ``count`` synthetic submissions, against executing the same notebooks bare in parallel."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    from .grade import grade

    workers = workers or os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "class").mkdir()
        submissions = synthetic_class(Path(folder) / "class", count)
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(lambda path: run_seconds(path, allow_errors=True), submissions))
        bare = time.perf_counter() - start
        start = time.perf_counter()
        grade(Path(folder) / "class", Path(folder) / "out", workers=workers, progress=None)
        graded = time.perf_counter() - start
    return {"submissions": count, "workers": workers, "bare_s": round(bare, 2), "grade_s": round(graded, 2),
            "ratio": round(graded / bare, 3), "goal_ratio": 1.2}


def bench_suite(runs: int = 5) -> dict:
    """Seconds for one whole ``pytest`` run (as configured in pyproject.toml), against the floor's median.

    The floor runs before and after the suite (``runs`` times each), so a machine that slows down meanwhile shows in
    the floor too. pytest's own report goes to stderr, so that stdout is the JSON alone.
    """
    import subprocess
    import sys

    run_seconds(FLOOR)  # warm up, as in bench()
    floor_times = [run_seconds(FLOOR) for _ in range(runs)]
    start = time.perf_counter()
    finished = subprocess.run([sys.executable, "-m", "pytest", "-q"], cwd=ROOT, stdout=sys.stderr)
    suite = time.perf_counter() - start
    floor_times += [run_seconds(FLOOR) for _ in range(runs)]
    floor = statistics.median(floor_times)
    return {"runs": runs, "goal_ratio": SUITE_GOAL_RATIO,
            "floor": {"median_s": round(floor, 3), "min_s": round(min(floor_times), 3)},
            "suite": {"seconds": round(suite, 2), "ratio": round(suite / floor, 2), "pytest_exit_code":
                      finished.returncode}}
