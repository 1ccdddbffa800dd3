import pytest
import torch

from gridcore.net.config import get_preset
from gridcore.net.runs import Network, untrained_network


@pytest.fixture(autouse=True)
def _one_thread():
    """Tests are deterministic and light: one intra-op thread, as the training default."""
    torch.set_num_threads(1)


@pytest.fixture
def tiny_network() -> Network:
    """An untrained network of the ``tiny`` preset drawn from seed 0, in evaluation mode;
    torch's global random state is left as it was."""
    return untrained_network(get_preset("tiny"), seed=0)
