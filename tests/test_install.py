"""The install routes agree: pip's lock, the test lock, environment.yml (Binder, conda) and pyproject.toml."""

import re
import sys
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.markers import default_environment

ROOT = Path(__file__).resolve().parent.parent


def locked(path: Path, python: str) -> dict[str, str]:
    """Package -> pinned version in a lock file, for the given Python version (markers evaluated)."""
    environment = dict(default_environment(), python_version=python, python_full_version=f"{python}.0")
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split(" #")[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate(environment):
            (version,) = [spec.version for spec in requirement.specifier if spec.operator == "=="]
            assert requirement.name not in pins, f"{path.name} pins {requirement.name} twice for Python {python}"
            pins[requirement.name.lower()] = version
    return pins


def direct(path: Path) -> dict[str, Requirement]:
    requirements = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            requirement = Requirement(line)
            requirements[requirement.name.lower()] = requirement
    return requirements


def test_every_direct_dependency_is_pinned_and_says_where_it_is_used():
    for name in ("requirements.in", "requirements-test.in"):
        for line in (ROOT / name).read_text().splitlines():
            if line.strip() and not line.startswith(("#", "-")):
                assert "#" in line, f"{name}: {line!r} needs a comment saying where it is used"


def test_the_locks_satisfy_the_direct_dependencies_on_every_supported_python():
    for python in ("3.10", "3.11", "3.12", "3.13"):
        for source, lock in (("requirements.in", "requirements.txt"), ("requirements-test.in", "requirements-test.txt")):
            pins = locked(ROOT / lock, python)
            wanted = direct(ROOT / source)
            if source == "requirements-test.in":
                wanted |= direct(ROOT / "requirements.in")
            for name, requirement in wanted.items():
                assert name in pins, f"{lock} has no pin for {name} on Python {python}"
                assert pins[name] in requirement.specifier, f"{lock}: {name}=={pins[name]} breaks {requirement}"


def test_the_test_lock_never_moves_a_package_the_series_pins():
    for python in ("3.10", "3.11", "3.12", "3.13"):
        series, tests = locked(ROOT / "requirements.txt", python), locked(ROOT / "requirements-test.txt", python)
        moved = {name: (version, tests[name]) for name, version in series.items() if tests.get(name) != version}
        assert not moved, f"Python {python}: the test lock differs from requirements.txt for {moved}"


def test_environment_yml_installs_the_lock_and_the_package_on_a_locked_python():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [item for item in environment["dependencies"] if isinstance(item, str)]
    pip_section = next(item["pip"] for item in environment["dependencies"] if isinstance(item, dict))
    assert "-r requirements.txt" in pip_section, "environment.yml must install the pip lock"
    assert "-e ." in pip_section, "environment.yml must install the helper package"
    (python,) = [item for item in conda if item.startswith("python")]
    version = re.fullmatch(r"python=(3\.\d+)", python)
    assert version, f"environment.yml must pin Python to one minor version, not {python!r}"
    assert locked(ROOT / "requirements.txt", version.group(1)), "the lock resolves nothing for that Python"
    others = [item for item in conda if item not in (python, "pip")]
    assert not others, f"conda packages {others} would bypass the lock: install them through requirements.in"


def test_this_environment_runs_what_the_lock_says():
    """CI installs the lock; if a package drifted, the notebooks' committed outputs no longer prove anything."""
    from importlib.metadata import version

    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    pins = locked(ROOT / "requirements-test.txt", python)
    for name in ("pandas", "plotly", "nbval", "nbclient", "nbformat", "numpy"):
        assert version(name) == pins[name], f"{name} {version(name)} is installed, the lock says {pins[name]}"


def test_readme_second_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert ci in readme, "the README's test command and .ci/run have drifted apart"
