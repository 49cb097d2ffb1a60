"""The newest-releases canary reads a run of the series into one list of problems, without installing anything here.

The real run (a fresh environment from PyPI) is manual and weekly in CI: `python -m collectivisation canary`.
"""

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

from collectivisation.tools import canary
from collectivisation.tools.outputs import problems

PLOTLY = "application/vnd.plotly.v1+json"


def _notebook(*outputs_per_cell):
    cells = [new_code_cell(f"cell_{number} = {number}\nprint(cell_{number})", outputs=list(outputs))
             for number, outputs in enumerate(outputs_per_cell)]
    return new_notebook(cells=cells)


def _printed(text, name="stdout"):
    return new_output("stream", name=name, text=text)


def _result(text, count=1, **data):
    return new_output("execute_result", data={"text/plain": text, **data}, execution_count=count)


def test_the_canary_installs_every_requirement_by_name_without_its_pin(tmp_path):
    requirements = tmp_path / "requirements.in"
    requirements.write_text("# comment\npandas==2.3.3   # every notebook\nipykernel>=7.3,<7.5\n\nplotly\n"
                            "nbconvert[webpdf] ; python_version>'3.9'\n")
    assert canary.requirement_names(requirements) == ["pandas", "ipykernel", "plotly", "nbconvert[webpdf]"]
    assert "pandas" in canary.requirement_names() and all("=" not in name for name in canary.requirement_names())


def test_a_pandas_deprecation_on_stderr_is_a_warning_of_its_cell():
    committed = _notebook([_printed("1930-03-02 -> 1930.16\n")])
    executed = _notebook([_printed("1930-03-02 -> 1930.16\n"), _printed(
        "/tmp/ipykernel_1/2.py:4: Pandas4Warning: Timestamp.dayofyear is deprecated\n  turn_x = ...\n", "stderr")])
    [problem] = problems("notebooks/05_livestock.ipynb", committed, executed)
    assert str(problem) == ("notebooks/05_livestock.ipynb, cell 0: warning: "
                            "/tmp/ipykernel_1/2.py:4: Pandas4Warning: Timestamp.dayofyear is deprecated")


def test_warning_text_printed_to_stdout_counts_as_a_warning_too():
    committed = _notebook([_printed("ok\n")])
    executed = _notebook([_printed("FutureWarning: the default of observed=False is deprecated\nok\n")])
    kinds = sorted(problem.kind for problem in problems("nb", committed, executed))
    assert kinds == ["changed", "warning"]


def test_a_changed_number_names_the_cell_and_shows_what_was_expected_and_what_came():
    committed = _notebook([_printed("a\n")], [_result("58.2")])
    executed = _notebook([_printed("a\n")], [_result("58.3")])
    [problem] = problems("notebooks/05_livestock.ipynb", committed, executed)
    assert (problem.kind, problem.cell, problem.expected, problem.got) == ("changed", 1, "58.2\n", "58.3\n")
    assert str(problem).splitlines() == [
        "notebooks/05_livestock.ipynb, cell 1: output changed (the cell starts: cell_1 = 1)",
        "    expected: 58.2", "    got:      58.3"]


def test_an_error_is_reported_by_name_without_colour_codes():
    executed = _notebook([new_output("error", ename="KeyError", evalue="\x1b[31m'year'\x1b[0m", traceback=[])])
    [problem] = [p for p in problems("nb", _notebook([]), executed) if p.kind == "error"]
    assert str(problem) == "nb, cell 0: error: KeyError: 'year'"


def test_charts_html_tables_and_execution_counts_are_not_compared():
    committed = _notebook([_result("Figure", 3, **{PLOTLY: {"data": [{"y": [1.0]}]}, "text/html": "<table/>"})])
    executed = _notebook([_result("Figure", 7, **{PLOTLY: {"data": [{"y": [1.1]}]}, "text/html": "<table>"})])
    assert problems("nb", committed, executed) == []


def _executed_series(tmp_path, notebooks: dict):
    """Committed notebooks in tmp_path/committed, and the canary's runs of them in tmp_path/out."""
    paths = []
    for name, (committed, executed) in notebooks.items():
        path = tmp_path / "committed" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(committed, path)
        canary.executed_path(tmp_path / "out", path).parent.mkdir(parents=True, exist_ok=True)
        if executed is not None:
            nbformat.write(executed, canary.executed_path(tmp_path / "out", path))
        paths.append(path)
    return paths


def test_the_report_lists_every_problem_of_every_notebook_in_one_list(tmp_path):
    clean = _notebook([_printed("1\n")])
    paths = _executed_series(tmp_path, {
        "notebooks/01_a.ipynb": (clean, clean),
        "notebooks/02_b.ipynb": (clean, _notebook([_printed("2\n")])),
        "exercises/01_a.ipynb": (_notebook([]), _notebook([_printed("⏳ not answered yet\n")])),
        "solutions/01_a.ipynb": (clean, None),
    })
    canary.executed_path(tmp_path / "out", paths[3]).with_suffix(".failed").write_text("DeadKernelError: died")
    found = canary.report(paths, tmp_path / "out", "nbclient/x.py:1: DeprecationWarning: old API\nprogress\n")
    assert [str(problem).splitlines()[0] for problem in found] == [
        "notebooks/02_b.ipynb, cell 0: output changed (the cell starts: cell_0 = 0)",
        "solutions/01_a.ipynb: error: did not run to the end: DeadKernelError: died",
        "the executor: warning: nbclient/x.py:1: DeprecationWarning: old API"]


def _pretend_to_run(executed):
    """A stand-in for running the notebooks in the new environment: every run prints ``executed``'s outputs."""
    def run_notebooks(python, notebooks, out):
        for path in notebooks:
            canary.executed_path(out, path).parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(executed, canary.executed_path(out, path))
        return ""
    return run_notebooks


def test_the_canary_exits_0_when_the_list_is_empty_and_1_when_it_is_not(tmp_path, monkeypatch, capsys):
    clean = _notebook([_printed("1\n")])
    warned = _notebook([_printed("1\n"), _printed("FutureWarning: soon\n", "stderr")])
    [path] = _executed_series(tmp_path, {"notebooks/01_a.ipynb": (clean, None)})
    monkeypatch.setattr(canary, "make_environment", lambda folder: folder / "bin" / "python")
    monkeypatch.setattr(canary, "installed_versions", lambda python: {"pandas": "9.0"})
    for run, code in ((clean, 0), (warned, 1)):
        monkeypatch.setattr(canary, "run_notebooks", _pretend_to_run(run))
        assert canary.canary(notebooks=[path]) == code
    printed = capsys.readouterr().out
    assert "pandas 9.0" in printed and "- notebooks/01_a.ipynb, cell 0: warning: FutureWarning: soon" in printed
