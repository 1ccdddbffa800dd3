from pathlib import Path

import pytest
import torch

from gridcore.config import get_preset
from gridcore.results import Network
from gridcore.task import build


@pytest.fixture(autouse=True)
def _one_thread():
    """Tests are deterministic and light: one intra-op thread, as the training default."""
    torch.set_num_threads(1)


@pytest.fixture
def tiny_network() -> Network:
    """An untrained network of the ``tiny`` preset drawn from seed 0, in evaluation mode;
    torch's global random state is left as it was."""
    cfg = get_preset("tiny")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model, ensembles = build(cfg)
    return Network(model.eval(), ensembles, cfg, 0, Path("."))
