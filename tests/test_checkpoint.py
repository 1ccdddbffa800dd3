"""The shipped model: it loads safely and its bottleneck is as grid-like as the paper's."""

import json
from pathlib import Path

import torch

from gridcore.ratemaps import bottleneck_ratemaps
from gridcore.runs import load_run
from gridcore.scores import score_ratemaps

RUN = Path(__file__).resolve().parent.parent / "checkpoints" / "grid-lstm"


def test_shipped_model_meets_the_paper():
    """>= 25 % of bottleneck units with a DeepMind 60-degree score > 0.37 (paper: 25.2 %)."""
    model, ensembles, cfg, step = load_run(RUN)
    assert step == cfg.steps
    maps = bottleneck_ratemaps(model, ensembles, cfg, n_trajectories=5000, nbins=32)
    assert not torch.is_tensor(maps) and maps.shape == (256, 32, 32)
    fraction = score_ratemaps(maps, mode="deepmind").fraction(0.37)
    assert fraction >= 0.25
    recorded = json.loads((RUN / "provenance.json").read_text())["metrics"]
    assert abs(recorded["deepmind_fraction_above_0.37"] - fraction) < 1e-9


def test_provenance_names_the_command():
    provenance = json.loads((RUN / "provenance.json").read_text())
    assert "python -m gridcore train --preset fast" in provenance["command"]
    for key in ("seed", "commit", "machine", "wall_time_s", "metrics"):
        assert key in provenance
