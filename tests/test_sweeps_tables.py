"""A sweep's results table read back: every trial, the finished ones, or none yet."""

import pandas as pd
import pytest

from gridcore import sweeps
from gridcore.errors import GridcoreError


def _sweep(tmp_path):
    out = tmp_path / "sweep"
    out.mkdir()
    pd.DataFrame(
        {
            "trial": ["a-seed0", "a-seed1", "b-seed0"],
            "condition": ["a", "a", "b"],
            "status": ["done", "diverged", "done"],
            "grid_fraction_037": [0.3, None, 0.1],
        }
    ).to_csv(out / "results.csv", index=False)
    return out


def test_load_reads_every_trial_or_only_the_finished_ones(tmp_path):
    out = _sweep(tmp_path)
    every = sweeps.load(out)
    assert list(every["status"]) == ["done", "diverged", "done"]
    pd.testing.assert_frame_equal(sweeps.load(out / "results.csv"), every)
    done = sweeps.load(out, finished_only=True)
    assert list(done["trial"]) == ["a-seed0", "b-seed0"]
    assert list(done["grid_fraction_037"]) == [0.3, 0.1]


def test_a_sweep_without_results_is_an_error_or_none(tmp_path):
    with pytest.raises(GridcoreError, match="no such file"):
        sweeps.load(tmp_path / "not-run")
    assert sweeps.load(tmp_path / "not-run", missing_ok=True) is None
    assert sweeps.load(tmp_path / "not-run" / "results.csv", missing_ok=True) is None
    every = sweeps.load(_sweep(tmp_path), missing_ok=True)
    assert every is not None and len(every) == 3
