"""The performance harness: how long each notebook takes to run, against a floor that no notebook can beat.

The floor (``benchmarks/floor.ipynb``) starts a kernel, imports pandas and plotly express and shows one
three-point line chart: the cost any charting notebook pays before it does anything of its own. Each notebook is
run in a fresh kernel, interleaved with the floor so that a machine that slows down slows both alike, several times
over; the JSON reports each notebook's median, its ratio to the floor's median, and its size. The series' goal is a
ratio of at most 1.25.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from .build import ROOT, TIMEOUT_SECONDS

FLOOR = ROOT / "benchmarks" / "floor.ipynb"
GOAL_RATIO = 1.25


def run_seconds(path: Path) -> float:
    """Wall-clock seconds to start a kernel and execute ``path`` from an empty folder."""
    notebook = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as workdir:
        start = time.perf_counter()
        NotebookClient(notebook, timeout=TIMEOUT_SECONDS, kernel_name="python3",
                       resources={"metadata": {"path": workdir}}).execute()
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
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")) + sorted(
        (ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))


def main(runs: int, names: list[str]) -> int:
    notebooks = [Path(name).resolve() for name in names] or default_notebooks()
    report = bench(notebooks, runs)
    print(json.dumps(report, indent=2))
    over = [name for name, figures in report["notebooks"].items() if figures["ratio"] > GOAL_RATIO]
    return 1 if over else 0
