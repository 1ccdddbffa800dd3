import pytest
import torch


@pytest.fixture(autouse=True)
def _one_thread():
    """Tests are deterministic and light: one intra-op thread, as the training default."""
    torch.set_num_threads(1)
