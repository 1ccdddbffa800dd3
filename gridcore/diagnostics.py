"""Looking inside training: raw gradient magnitudes and the size of every update.

``raw_gradients`` shows what the 1e-5 clip does to the gradients of a freshly initialised
network; ``trace_updates`` runs the first steps of training exactly as ``train.train`` does
(same initial weights, data and dropout for the same config) and records, per step, the loss,
the decoding error and how far the weights moved. Both are small and fast: they are meant for
the book's training chapter and for comparing optimisers side by side.
"""

from __future__ import annotations

import numpy as np
import torch

from gridcore.config import TrainConfig
from gridcore.optim import clip_gradients, l2_penalty, make_optimizer
from gridcore.trajectories import TrajectoryStream


def _loss(model, ensembles, traj, cfg: TrainConfig):
    from gridcore.train import losses

    place_loss, hd_loss, out = losses(model, ensembles, traj)
    loss = place_loss + hd_loss
    if cfg.apply_weight_decay and cfg.weight_decay > 0:
        loss = loss + l2_penalty(model.output_weights(), cfg.weight_decay)
    return loss, out


def _clip_params(model, cfg: TrainConfig) -> list[torch.Tensor]:
    if cfg.clip_scope == "all":
        return list(model.parameters())
    return [p for m in (model.place_head, model.hd_head) for p in m.parameters()]


def raw_gradients(cfg: TrainConfig, n_batches: int = 5, seed: int | None = None) -> dict:
    """Absolute gradient elements (before clipping) of ``cfg``'s untrained network.

    The network is initialised as ``train.train`` would with ``seed`` (default ``cfg.seed``)
    and evaluated on its first ``n_batches`` training batches, without updating it. Returns
    ``{layer name: 1-D array of |gradient| over all elements and batches}``.
    """
    from gridcore.train import build

    if n_batches < 1:
        raise ValueError(f"n_batches must be >= 1, got {n_batches}")
    seed = cfg.seed if seed is None else seed
    state = torch.get_rng_state()
    try:
        torch.manual_seed(seed)
        model, ensembles = build(cfg)
        model.train()
        data = TrajectoryStream(cfg.batch_size, cfg.seq_len, cfg.motion, seed, n_batches)
        grads: dict[str, list[np.ndarray]] = {}
        for step in range(n_batches):
            model.zero_grad(set_to_none=True)
            loss, _ = _loss(model, ensembles, data.batch(step), cfg)
            loss.backward()
            for layer, module in model.named_children():
                flat = [p.grad.abs().flatten() for p in module.parameters() if p.grad is not None]
                if flat:
                    grads.setdefault(layer, []).append(torch.cat(flat).numpy())
    finally:
        torch.set_rng_state(state)
    return {layer: np.concatenate(parts) for layer, parts in grads.items()}


def trace_updates(cfg: TrainConfig, steps: int) -> dict[str, np.ndarray]:
    """The first ``steps`` training steps of ``cfg``, recording every step.

    Returns arrays of length ``steps``: ``loss`` (nats), ``position_error_cm`` (decoded from the
    training batch), ``update`` (mean absolute weight change over all weights),
    ``update_max`` (the largest one) and ``clipped`` (fraction of gradient elements clipped).
    The global torch RNG is restored afterwards.
    """
    from gridcore.train import build, decoding_errors, learning_rate

    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    state = torch.get_rng_state()
    out = {k: np.empty(steps) for k in ("loss", "position_error_cm", "update", "update_max")}
    out["clipped"] = np.empty(steps)
    try:
        torch.manual_seed(cfg.seed)
        model, ensembles = build(cfg)
        model.train()
        opt = make_optimizer(
            cfg.optimizer, model.parameters(), cfg.lr, cfg.momentum, cfg.rms_decay, cfg.eps
        )
        data = TrajectoryStream(cfg.batch_size, cfg.seq_len, cfg.motion, cfg.seed, cfg.data_chunk)
        params = list(model.parameters())
        clip_params = _clip_params(model, cfg)
        n_clip = sum(p.numel() for p in clip_params)
        for step in range(steps):
            for group in opt.param_groups:
                group["lr"] = learning_rate(cfg, step)
            traj = data.batch(step)
            loss, res = _loss(model, ensembles, traj, cfg)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if cfg.grad_clip > 0:
                over = sum((p.grad.abs() > cfg.grad_clip).sum().item() for p in clip_params)
            else:
                over = 0
            clip_gradients(clip_params, cfg.grad_clip)
            before = [p.detach().clone() for p in params]
            opt.step()
            delta = torch.cat(
                [(p.detach() - b).abs().flatten() for p, b in zip(params, before, strict=True)]
            )
            out["loss"][step] = loss.item()
            out["position_error_cm"][step] = decoding_errors(ensembles, res, traj)[0]
            out["update"][step] = delta.mean().item()
            out["update_max"][step] = delta.max().item()
            out["clipped"][step] = over / n_clip
    finally:
        torch.set_rng_state(state)
    return out
