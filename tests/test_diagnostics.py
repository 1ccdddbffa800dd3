from dataclasses import replace

import numpy as np
import pytest
import torch

from gridcore.config import get_preset
from gridcore.diagnostics import raw_gradients, trace_updates
from gridcore.train import train

CFG = replace(get_preset("tiny"), steps=6, log_every=1, checkpoint_every=100)


def test_trace_matches_the_training_loop(tmp_path):
    history = train(CFG, tmp_path / "run", progress=False).history
    trace = trace_updates(CFG, 6)
    np.testing.assert_allclose(trace["loss"], [row["loss"] for row in history], rtol=1e-5)
    np.testing.assert_allclose(
        trace["position_error_cm"], [row["position_error_cm"] for row in history], rtol=1e-4
    )
    assert (trace["update"] > 0).all() and (trace["update_max"] >= trace["update"]).all()
    assert ((trace["clipped"] >= 0) & (trace["clipped"] <= 1)).all()


def test_tf1_rmsprop_starts_with_tiny_updates():
    tf1 = trace_updates(CFG, 3)
    pt = trace_updates(replace(CFG, optimizer="torch_rmsprop"), 3)
    # Both take the same first gradient; TF1's accumulator starts at 1 so its first update is
    # about lr * 1e-5, PyTorch's about lr * 3.
    assert tf1["loss"][0] == pytest.approx(pt["loss"][0])
    assert tf1["update_max"][0] < 1e-3 * pt["update_max"][0]


def test_raw_gradients_cover_every_layer_and_leave_rng_alone():
    torch.manual_seed(5)
    before = torch.get_rng_state()
    grads = raw_gradients(CFG, n_batches=2)
    assert torch.equal(before, torch.get_rng_state())
    assert set(grads) == {"init_h", "init_c", "core", "bottleneck", "place_head", "hd_head"}
    n_bottleneck = CFG.n_hidden * CFG.n_bottleneck
    assert grads["bottleneck"].shape == (2 * n_bottleneck,)
    assert all((g >= 0).all() for g in grads.values())
    again = raw_gradients(CFG, n_batches=2)
    np.testing.assert_array_equal(grads["core"], again["core"])
    with pytest.raises(ValueError):
        raw_gradients(CFG, n_batches=0)
