"""Looking inside training: raw gradient magnitudes and the size of every update.

``raw_gradients`` shows what the 1e-5 clip does to the gradients of a freshly initialised
network; ``trace_updates`` runs the first steps of training with the training loop's own step
(:func:`gridcore.net.task.train_step`: same initial weights, data and dropout for the same config)
and records, per step, the loss, the decoding error and how far the weights moved. Both are small
and fast: they are meant for the book's training chapter and for comparing optimisers.
"""

from __future__ import annotations

import numpy as np
import torch

from gridcore.net.config import TrainConfig
from gridcore.net.task import (
    StepSettings,
    build,
    clip_params,
    decoding_errors,
    l2_term,
    losses,
    make_optimizer_for,
    motion_of,
    train_step,
)
from gridcore.world.trajectories import TrajectoryStream


def raw_gradients(cfg: TrainConfig, n_batches: int = 5, seed: int | None = None) -> dict:
    """Absolute gradient elements (before clipping) of ``cfg``'s untrained network.

    The network is initialised as ``train.train`` would with ``seed`` (default ``cfg.seed``)
    and evaluated on its first ``n_batches`` training batches, without updating it. Returns
    ``{layer name: 1-D array of |gradient| over all elements and batches}``. The global torch
    RNG is left as it was.
    """
    if n_batches < 1:
        raise ValueError(f"n_batches must be >= 1, got {n_batches}")
    seed = cfg.seed if seed is None else seed
    grads: dict[str, list[np.ndarray]] = {}
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model, ensembles = build(cfg)
        model.train()
        data = TrajectoryStream(cfg.batch_size, cfg.seq_len, motion_of(cfg), seed, cfg.data_chunk)
        for step in range(n_batches):
            model.zero_grad(set_to_none=True)
            place_loss, hd_loss, _ = losses(model, ensembles, data.batch(step))
            (place_loss + hd_loss + l2_term(model, cfg)).backward()
            for layer, module in model.named_children():
                flat = [p.grad.abs().flatten() for p in module.parameters() if p.grad is not None]
                if flat:
                    grads.setdefault(layer, []).append(torch.cat(flat).numpy())
    return {layer: np.concatenate(parts) for layer, parts in grads.items()}


def trace_updates(cfg: TrainConfig, steps: int) -> dict[str, np.ndarray]:
    """The first ``steps`` training steps of ``cfg``, recording every step.

    Returns arrays of length ``steps``: ``loss`` (nats), ``position_error_cm`` (decoded from the
    training batch), ``update`` (mean absolute weight change over all weights),
    ``update_max`` (the largest one) and ``clipped`` (fraction of clipped gradient elements: those
    left at exactly the clip value). The global torch RNG is left as it was.
    """
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    out = {k: np.empty(steps) for k in ("loss", "position_error_cm", "update", "update_max")}
    out["clipped"] = np.empty(steps)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(cfg.seed)
        model, ensembles = build(cfg)
        model.train()
        opt = make_optimizer_for(cfg, model)
        data = TrajectoryStream(
            cfg.batch_size, cfg.seq_len, motion_of(cfg), cfg.seed, cfg.data_chunk
        )
        params = list(model.parameters())
        clipped = clip_params(model, cfg)
        n_clip = sum(p.numel() for p in clipped)
        settings = StepSettings(opt, cfg, clipped)
        for step in range(steps):
            traj = data.batch(step)
            before = [p.detach().clone() for p in params]
            res = train_step(model, ensembles, settings, traj, step)
            delta = torch.cat(
                [(p.detach() - b).abs().flatten() for p, b in zip(params, before, strict=True)]
            )
            over = 0
            if cfg.grad_clip > 0:
                over = sum((p.grad.abs() >= cfg.grad_clip).sum().item() for p in clipped)
            out["loss"][step] = res.loss.item()
            out["position_error_cm"][step] = decoding_errors(ensembles, res.out, traj)[0]
            out["update"][step] = delta.mean().item()
            out["update_max"][step] = delta.max().item()
            out["clipped"][step] = over / n_clip
    return out
