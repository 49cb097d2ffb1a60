"""Shared test set-up, including how nbval compares the notebooks' outputs.

nbval re-runs every notebook and compares each cell's printed output with the committed one, so a changed number
in the argument fails the suite. Plotly figures are skipped in that comparison: under nbclient plotly emits only its
JSON, which nbval's sanitisers cannot reach; `python -m collectivisation build --check` (tests/test_build.py)
compares those byte for byte instead.
"""

SKIPPED_OUTPUTS = ("application/vnd.plotly.v1+json", "text/html")


def pytest_configure(config):
    """nbval starts its kernels on TCP ports that another test process can be handed at the same moment, and a
    kernel that loses that race dies at start-up. It gets the build's private socket files instead (see
    collectivisation/tools/kernels.py)."""
    import nbval.kernel

    from collectivisation.tools.kernels import PrivateKernelManager

    nbval.kernel.KernelManager = PrivateKernelManager


def pytest_collectstart(collector):
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += SKIPPED_OUTPUTS


def tool_environment(name, lock):
    """The bin folder of build/NAME-venv, made on first use from LOCK (a pinned requirements file).

    Some tools the tests drive (nbgrader, repo2docker) pin their own Jupyter stack, so they get an environment of
    their own instead of joining the series' lock.
    """
    import os
    import subprocess
    import venv
    from pathlib import Path

    root = Path(__file__).resolve().parent
    folder = root / "build" / f"{name}-venv"
    bin_dir = folder / ("Scripts" if os.name == "nt" else "bin")
    marker = folder / "installed.txt"
    if not marker.exists() or marker.read_text() != (root / lock).read_text():
        venv.create(folder, with_pip=True, clear=True)
        subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q", "-r", str(root / lock)], check=True)
        marker.write_text((root / lock).read_text())
    return bin_dir
