"""book/run_notebooks.py: profile validation and parameter checks (no execution)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

pytest.importorskip("papermill")
nbformat = pytest.importorskip("nbformat")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def driver():
    spec = importlib.util.spec_from_file_location("run_notebooks", ROOT / "book/run_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["run_notebooks"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def notebook(tmp_path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(
        "steps = 100\nlr = 1e-4\npreset = 'fast'\nplot = True\nsizes = [1, 2]\nanything = None"
    )
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# t"), params, nbformat.v4.new_code_cell("1")]
    path = tmp_path / "01_test.ipynb"
    nbformat.write(nb, path)
    return path


def test_committed_profiles_are_valid(driver):
    profiles = driver.load_profiles()
    assert {"full", "ci"} <= set(profiles)
    driver.check_profiles(profiles)


@pytest.mark.parametrize(
    "params",
    [
        {"steps": 5},
        {"lr": 3},  # an int is a fine float
        {"lr": 0.5, "preset": "paper", "plot": False, "sizes": [3]},
        {"anything": "x"},  # a None default accepts any type
    ],
)
def test_good_parameters_pass(driver, notebook, params):
    driver.check_parameters(notebook, params, "test")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"step": 5}, "unknown parameter 'step'"),
        ({"steps": "many"}, "parameter 'steps' (test) must be int"),
        ({"steps": 2.5}, "must be int"),
        ({"steps": True}, "must be int"),
        ({"plot": 1}, "must be bool"),
        ({"preset": 3}, "must be str"),
        ({"sizes": "1,2"}, "must be list"),
    ],
)
def test_bad_parameters_give_one_line(driver, notebook, params, message):
    with pytest.raises(driver.DriverError) as err:
        driver.check_parameters(notebook, params, "test")
    text = str(err.value)
    assert message in text
    assert "\n" not in text
    assert notebook.name in text


def test_profile_naming_missing_notebook(driver, tmp_path):
    bad = tmp_path / "profiles.yml"
    bad.write_text("full: {}\nci:\n  99_nope.ipynb: {steps: 1}\n")
    with pytest.raises(driver.DriverError, match="99_nope.ipynb"):
        driver.check_profiles(driver.load_profiles(bad))


def test_unknown_profile(driver):
    with pytest.raises(driver.DriverError, match="unknown profile 'nope'"):
        driver.profile_params({"full": {}, "ci": {}}, "nope")


def test_cli_values_parse_like_papermill(driver):
    assert driver.parse_cli_value("2000") == 2000
    assert driver.parse_cli_value("1e-4") == pytest.approx(1e-4)
    assert driver.parse_cli_value("True") is True
    assert driver.parse_cli_value("None") is None
    assert driver.parse_cli_value("fast") == "fast"


def test_cli_rejects_bad_parameter_without_running(driver, capsys):
    name = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))[0].name
    assert driver.main([name, "-p", "no_such_parameter_xyz", "1"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("run_notebooks: error:")
    assert "no_such_parameter_xyz" in err and name in err
    assert len(err.splitlines()) == 1


def test_stage_only_refuses_without_executed_notebooks(driver, tmp_path, capsys):
    assert driver.main(["--stage-only", "--out", str(tmp_path / "stage")]) != 0
    assert "holds no executed copy" in capsys.readouterr().err


def test_stage_only_copies_sources_and_keeps_executed_notebooks(driver, tmp_path):
    stage = tmp_path / "stage"
    (stage / "book").mkdir(parents=True)
    for nb in driver.list_notebooks():
        (stage / "book" / nb.name).write_text("executed copy")
    assert driver.main(["--stage-only", "--out", str(stage)]) == 0
    assert (stage / "_config.yml").is_file() and (stage / "references.bib").is_file()
    assert (stage / "book" / "references.md").is_file()
    first = driver.list_notebooks()[0].name
    assert (stage / "book" / first).read_text() == "executed copy"  # not re-executed


def test_run_times_page_gives_the_core_count_and_no_machine_string(driver, tmp_path, monkeypatch):
    monkeypatch.setattr(driver, "GENERATED_DIR", tmp_path)
    monkeypatch.setattr(driver, "RUN_TIMES_MD", tmp_path / "run_times.md")
    monkeypatch.setattr(driver, "RUN_TIMES_JSON", tmp_path / "run_times.json")
    monkeypatch.setattr(driver.os, "cpu_count", lambda: 2)
    record = {"profile": "ci", "parameters": {}, "seconds": 75.0, "finished": "2026-01-01 10:00"}
    other = {**record, "profile": "full", "seconds": 5.0}
    driver.write_run_times({"04_training.ipynb": record, "03_model.ipynb": other})
    text = (tmp_path / "run_times.md").read_text()
    assert "| `04_training.ipynb` | ci | defaults | 1 min 15.0 s |" in text
    assert "| **Total** | | | **1 min 20.0 s** |" in text
    assert "Run on 2 CPU cores; no chapter uses a GPU." in text
    for machine in ("Linux", "x86_64", "Python", "papermill"):
        assert machine not in text


def test_run_times_page_says_a_shared_profile_once(driver, tmp_path, monkeypatch):
    monkeypatch.setattr(driver, "GENERATED_DIR", tmp_path)
    monkeypatch.setattr(driver, "RUN_TIMES_MD", tmp_path / "run_times.md")
    monkeypatch.setattr(driver, "RUN_TIMES_JSON", tmp_path / "run_times.json")
    record = {"profile": "full", "parameters": {}, "seconds": 75.0, "finished": "2026-01-01 10:00"}
    driver.write_run_times({"04_training.ipynb": record, "03_model.ipynb": record})
    text = (tmp_path / "run_times.md").read_text()
    assert "| Notebook | Wall time |" in text and "Profile" not in text
    assert "| `04_training.ipynb` | 1 min 15.0 s |" in text
    assert "| **Total** | **2 min 30.0 s** |" in text
    assert "Every notebook ran in the `full` profile, with its defaults." in text
