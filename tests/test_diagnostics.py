from dataclasses import replace

import numpy as np
import pytest
import torch

from gridcore.net.config import get_preset
from gridcore.net.task import build
from gridcore.training.diagnostics import raw_gradients, trace_updates
from gridcore.training.train import train
from gridcore.world.trajectories import TrajectoryStream

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
    # Recomputed here: the untrained network that training starts from, on the first two
    # training batches, the loss written out, gradients unclipped.
    torch.manual_seed(CFG.seed)
    model, ens = build(CFG)
    model.train()
    data = TrajectoryStream(CFG.batch_size, CFG.seq_len, CFG.motion, CFG.seed, CFG.data_chunk)
    want: dict[str, list] = {}
    for step in range(2):
        traj = data.batch(step)
        out = model(traj.velocity, ens.initial_code(traj))
        place_t, hd_t = ens.targets(traj)
        loss = -(place_t * out.place_logits.log_softmax(-1)).sum(-1).mean()
        loss = loss - (hd_t * out.hd_logits.log_softmax(-1)).sum(-1).mean()
        heads = (model.place_head.weight**2).sum() + (model.hd_head.weight**2).sum()
        loss = loss + CFG.weight_decay / 2 * heads
        for name, layer in model.named_children():
            params = list(layer.parameters())
            g = torch.autograd.grad(loss, params, retain_graph=True)
            want.setdefault(name, []).append(torch.cat([x.abs().flatten() for x in g]).numpy())
    for name, parts in want.items():
        np.testing.assert_allclose(grads[name], np.concatenate(parts), rtol=1e-4, atol=1e-12)
    assert grads["place_head"].max() > CFG.grad_clip  # raw: the clip has not touched them
    again = raw_gradients(CFG, n_batches=2)
    np.testing.assert_array_equal(grads["core"], again["core"])
    with pytest.raises(ValueError):
        raw_gradients(CFG, n_batches=0)
