"""The task the network learns: supervised path integration (Banino et al. 2018, Methods).

From the place- and head-direction code at the start of a trajectory and the egocentric
velocity at every step, predict the place- and head-direction-cell distributions at every step.
(Variants: allocentric velocity instead, ``velocity_input``; no head-direction cells, ``use_hd``,
which drops the HD term below and HD from the initial code; ``dims=3``, the same task in a cube,
:mod:`gridcore.world.volume`, with direction cells on the sphere in place of head-direction cells.)
This module builds a network and its ensembles from a config, runs it on trajectories, computes
the loss (soft-target cross-entropy plus the L2 term), clips gradients and takes one training
step. The training loop (:mod:`gridcore.training.train`), the diagnostics and the analyses all call
it, so each piece of the task exists once; with ``per_model`` the losses, the L2 term and the step
serve M stacked networks too (:mod:`gridcore.training.stacked`), one value per model.

    loss = CE(place targets, place logits) + CE(HD targets, HD logits)     nats, mean over B x T
         (+ one CE per further place-cell ensemble, when there are several)
         + weight_decay * sum(w^2) / 2 over the decayed weights           (when applied)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial

import torch
from torch.nn import functional as F

from gridcore.errors import GridcoreError
from gridcore.net.config import TrainConfig
from gridcore.net.model import GridCellNetwork, ModelOutput
from gridcore.net.optim import clip_gradients, l2_penalty, make_optimizer
from gridcore.world.ensembles import Ensembles
from gridcore.world.ensembles3d import DirectionCells, VolumeEnsembles, angle_between
from gridcore.world.trajectories import (
    MotionParams,
    Trajectories,
    TrajectoryStream,
    get_motion,
    simulate,
    wrap_angle,
)
from gridcore.world.volume import (
    N_INPUTS,
    VolumeMotion,
    VolumeStream,
    VolumeTrajectories,
    get_volume_motion,
    simulate_volume,
)


def motion_of(cfg: TrainConfig, motion: str | None = None) -> MotionParams:
    """The motion model (and so the box) that ``cfg`` trains in, seen at ``cfg``'s time base
    (a network step of ``cfg.step_time`` s); ``motion`` names another rat at the same time base."""
    params = get_motion(motion or cfg.motion)
    if math.isclose(cfg.step_time, params.dt):
        return params
    return replace(params, sample_dt=cfg.step_time)


def volume_motion_of(cfg: TrainConfig) -> VolumeMotion:
    """The 3-D motion model (and so the cube) of a ``dims=3`` config."""
    return get_volume_motion(cfg.motion)


def trajectory_stream(cfg: TrainConfig) -> TrajectoryStream | VolumeStream:
    """The endless, seeded stream of ``cfg``'s training batches: in the box, or in the cube."""
    if cfg.dims == 3:
        return VolumeStream(cfg.batch_size, cfg.seq_len, cfg.motion, cfg.seed, cfg.data_chunk)
    return TrajectoryStream(
        cfg.batch_size,
        cfg.seq_len,
        motion_of(cfg),
        cfg.seed,
        cfg.data_chunk,
        stages=cfg.curriculum(),
    )


def simulate_for(
    cfg: TrainConfig, n: int, generator: torch.Generator
) -> Trajectories | VolumeTrajectories:
    """``n`` fresh trajectories of ``cfg``'s motion (box or cube) from ``generator``."""
    if cfg.dims == 3:
        return simulate_volume(n, cfg.seq_len, volume_motion_of(cfg), generator=generator)
    return simulate(n, cfg.seq_len, motion_of(cfg), generator=generator)


def build_ensembles(cfg: TrainConfig) -> Ensembles:
    """The place- and head-direction ensembles of ``cfg``, laid out in its motion's box (or,
    with ``dims=3``, place cells in its cube and direction cells on the sphere)."""
    shared = dict(
        n_place=cfg.n_place,
        n_hd=cfg.n_hd,
        sigma=cfg.place_sigma,
        kappa=cfg.hd_kappa,
        kind=cfg.place_kind,
        surround_scale=cfg.surround_scale,
        seed=cfg.ensemble_seed,
        rng=cfg.ensemble_rng,
        use_hd=cfg.use_hd,
    )
    if cfg.dims == 3:
        return VolumeEnsembles.create(edge=volume_motion_of(cfg).edge, **shared)
    motion = motion_of(cfg)
    return Ensembles.create(
        box_width=motion.box_width,
        box_height=motion.box_height,
        n_ensembles=cfg.place_ensembles,
        sigma_ratio=cfg.place_sigma_ratio,
        init_code=cfg.init_code,
        **shared,
    )


def device_of(cfg: TrainConfig) -> torch.device:
    """The device ``cfg`` trains on: ``cpu``, ``cuda``, or for ``auto`` cuda when available.

    Asking for cuda where torch sees no GPU is a GridcoreError.
    """
    if cfg.device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if cfg.device == "cuda" and not torch.cuda.is_available():
        why = "built without CUDA" if torch.version.cuda is None else "no GPU visible"
        raise GridcoreError(
            f"device cuda: torch {torch.__version__} sees no CUDA device ({why}); "
            "use device=cpu, or device=auto to fall back to the CPU"
        )
    return torch.device(cfg.device)


def model_device(model: torch.nn.Module) -> torch.device:
    """The device of a network's weights (the CPU for a module without any)."""
    for tensor in model.parameters():
        return tensor.device
    return torch.device("cpu")


def rng_devices(device: torch.device) -> list[torch.device]:
    """The GPU whose RNG ``torch.random.fork_rng`` must save for work on ``device`` (none on
    the CPU)."""
    return [device] if device.type == "cuda" else []


def build(
    cfg: TrainConfig, device: torch.device | str = "cpu"
) -> tuple[GridCellNetwork, Ensembles]:
    """The network and ensembles that a config describes, on ``device``. The weights are drawn
    from torch's CPU RNG whatever the device, so a seed gives the same network everywhere."""
    ensembles = build_ensembles(cfg)
    model = GridCellNetwork(
        n_place=ensembles.n_place_total,
        n_hd=cfg.n_hd,
        n_hidden=cfg.n_hidden,
        n_bottleneck=cfg.n_bottleneck,
        dropout=cfg.dropout,
        core=cfg.core,
        eval_dropout=cfg.eval_dropout,
        velocity_input=cfg.velocity_input,
        use_hd=cfg.use_hd,
        n_inputs=N_INPUTS if cfg.dims == 3 else None,
        place_blocks=(
            [p.n_cells for p in ensembles.places] if cfg.place_readout == "sliced" else None
        ),
        anchor_prob=cfg.anchor_prob,
        lost_prob=cfg.lost_start_prob,
    )
    if torch.device(device).type != "cpu":
        model, ensembles = model.to(device), ensembles.to(device)
    return model, ensembles


def untrained_model(cfg: TrainConfig, seed: int = 0) -> tuple[GridCellNetwork, Ensembles]:
    """``cfg``'s network with fresh weights drawn from ``seed`` (in evaluation mode), and its
    ensembles: the untrained baseline. The global torch RNG is left as it was."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model, ensembles = build(cfg)
    model.eval()
    return model, ensembles


def make_optimizer_for(cfg: TrainConfig, model: GridCellNetwork) -> torch.optim.Optimizer:
    """The optimiser ``cfg`` names, over all of ``model``'s parameters."""
    return make_optimizer(
        cfg.optimizer, model.parameters(), cfg.lr, cfg.momentum, cfg.rms_decay, cfg.eps
    )


ANCHOR_SEED = 20180509  # evaluation's anchor masks: the same steps for every network


def anchor_mask(
    shape: tuple[int, int], prob: float, generator: torch.Generator | None = None, device="cpu"
) -> torch.Tensor:
    """(B, T) float mask: 1 on the steps where the network reads its anchor, each with
    probability ``prob``, drawn from ``generator`` (torch's global RNG if None)."""
    noise = torch.rand(shape, generator=generator, device=device)
    return (noise < prob).float()


def anchor_code(ensembles: Ensembles, traj: Trajectories) -> torch.Tensor:
    """(B, T, n_place + n_hd) the true place and head-direction code after each step (the
    place cells' alone without head direction): what an anchor shows the network."""
    place, hd = ensembles.targets(traj)
    return place if not ensembles.use_hd else torch.cat([place, hd], dim=-1)


def model_inputs(
    model: GridCellNetwork,
    traj: Trajectories,
    ensembles: Ensembles | None = None,
    anchor: torch.Tensor | None = None,
) -> torch.Tensor:
    """What ``model`` reads each step: the egocentric velocity (..., T, 3), or the allocentric
    one (..., T, 2), as its ``velocity_input`` says (egocentric for a module without one). An
    anchored network also reads ``anchor_code`` where the (B, T) mask ``anchor`` is 1; without
    a mask, training draws one at the network's ``anchor_prob`` from torch's global RNG and
    evaluation from a generator seeded with ``ANCHOR_SEED``."""
    kind = getattr(model, "velocity_input", "egocentric")
    velocity = traj.velocity_xy if kind == "allocentric" else traj.velocity
    if not getattr(model, "n_anchor", 0):
        return velocity
    if ensembles is None:
        raise ValueError("an anchored network needs the ensembles to build its anchor code")
    if anchor is None:
        gen = None
        if not model.training:
            gen = torch.Generator(device=velocity.device).manual_seed(ANCHOR_SEED)
        anchor = anchor_mask(velocity.shape[:2], model.anchor_prob, gen, velocity.device)
    code = anchor_code(ensembles, traj) * anchor.to(velocity)[..., None]
    return torch.cat([velocity, code], dim=-1)


def run(
    model: GridCellNetwork,
    ensembles: Ensembles,
    traj: Trajectories,
    anchor: torch.Tensor | None = None,
) -> ModelOutput:
    """The network on a batch of trajectories: velocities (B, T, 3), start code (B, 268); an
    anchored network also reads its code where the (B, T) mask ``anchor`` is 1
    (:func:`model_inputs`). The trajectories go to the network's device (the outputs stay
    there). While training, a network with ``lost_prob`` starts some trajectories from another
    one's code (:func:`lost_starts`)."""
    traj = traj.to(model_device(model))
    inputs = model_inputs(model, traj, ensembles, anchor)
    return model(inputs, lost_starts(model, ensembles.initial_code(traj)))


def lost_starts(model: GridCellNetwork, init: torch.Tensor) -> torch.Tensor:
    """Initial codes (B, n), each replaced, while training and with the network's
    ``lost_prob``, by the next trajectory's: a start the network is wrong about."""
    lost = getattr(model, "lost_prob", 0.0)
    if not (model.training and lost > 0 and len(init) > 1):
        return init
    mask = torch.rand(len(init), device=init.device) < lost
    return torch.where(mask[:, None], init.roll(1, dims=0), init)


def losses(
    model: GridCellNetwork, ensembles: Ensembles, traj: Trajectories
) -> tuple[torch.Tensor, torch.Tensor, ModelOutput]:
    """Soft-target cross-entropies (nats, mean over batch x time) for place and HD cells. A
    network without head-direction cells has no HD term: its ``hd_loss`` is 0. With several
    place ensembles the place loss is the sum of their cross-entropies, one softmax each."""
    traj = traj.to(model_device(model))
    out = run(model, ensembles, traj)
    return (*output_losses(out, ensembles, traj), out)


def output_losses(
    out: ModelOutput, ensembles: Ensembles, traj: Trajectories, per_model: bool = False
) -> tuple[torch.Tensor, torch.Tensor]:
    """The place and HD cross-entropies (nats) of the read-outs ``out`` against ``traj``'s
    targets, as :func:`losses` returns them (HD: 0 without head-direction cells). With
    ``per_model`` everything carries a leading model axis (M stacked networks) and each
    loss is one mean per model (M,)."""
    place_t, hd_t = ensembles.targets(traj)

    def ce(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return cross_entropy(logits, targets, per_model)

    place_loss = ensembles.place_loss(out.place_logits, place_t, ce)
    if out.hd_logits is None:
        return place_loss, torch.zeros_like(place_loss)
    return place_loss, ce(out.hd_logits, hd_t)


def cross_entropy(
    logits: torch.Tensor, targets: torch.Tensor, per_model: bool = False
) -> torch.Tensor:
    """Soft-target cross-entropy (nats) of logits (B, T, n) against target distributions
    (B, T, n), the mean over batch x time; with ``per_model``, of M stacked networks' logits
    (M, B, T, n), one mean per model (M,)."""
    if not per_model:
        return F.cross_entropy(logits.flatten(0, 1), targets.flatten(0, 1))
    per = F.cross_entropy(logits.flatten(0, 2), targets.flatten(0, 2), reduction="none")
    return per.view(logits.shape[0], -1).mean(dim=1)


def l2_term(model: torch.nn.Module, cfg: TrainConfig, per_model: bool = False) -> torch.Tensor:
    """The L2 term added to the loss (0 when ``cfg`` does not apply weight decay). With
    ``per_model``, ``model`` is M stacked networks and the term is one per model (M,)."""
    weights = model.decay_weights(cfg.weight_decay_layers)
    if not cfg.apply_weight_decay or cfg.weight_decay == 0:
        first = weights[0]
        return torch.zeros(first.shape[:1] if per_model else (), device=first.device)
    return l2_penalty(weights, cfg.weight_decay, per_model)


def clip_params(model: torch.nn.Module, cfg: TrainConfig) -> list[torch.Tensor]:
    """The parameters whose gradients are clipped: all (DeepMind) or the read-outs (paper).
    ``model`` is a network or M stacked ones (both name their read-outs' parameters)."""
    if cfg.clip_scope == "all":
        return list(model.parameters())
    return model.head_parameters()


def learning_rate(cfg: TrainConfig, step: int) -> float:
    """The learning rate at optimisation step ``step`` (0-based).

    A cosine schedule falls from ``lr`` to ``lr_final_frac * lr`` over ``lr_horizon`` steps
    (the run's ``steps`` when 0) and stays at the final rate after it.
    """
    if cfg.lr_schedule == "cosine":
        horizon = cfg.lr_horizon or cfg.steps
        frac = min(step / max(horizon - 1, 1), 1.0)
        low = cfg.lr * cfg.lr_final_frac
        return low + 0.5 * (cfg.lr - low) * (1 + math.cos(math.pi * frac))
    return cfg.lr


def decoding_errors(
    ensembles: Ensembles, out: ModelOutput, traj: Trajectories
) -> tuple[float, float]:
    """Mean position error (cm) and heading error (degrees) of the decoded read-outs; the
    heading error is NaN for a network without head-direction cells. In the cube the heading
    error is the angle between the decoded and the true direction."""
    pos = ensembles.place.decode(out.place_logits)
    pos_err = (pos - traj.target_pos).norm(dim=-1).mean().item() * 100
    if out.hd_logits is None:
        return pos_err, math.nan
    hd = ensembles.hd.decode(out.hd_logits)
    if isinstance(ensembles.hd, DirectionCells):
        return pos_err, math.degrees(angle_between(hd, traj.target_hd).mean().item())
    hd_err = wrap_angle(hd - traj.target_hd).abs().mean().item() * 180 / math.pi
    return pos_err, hd_err


@dataclass
class Step:
    """What one training step computed (losses in nats, before the update was applied). For M
    stacked networks each loss holds one value per model (M,) and the output a leading model
    axis."""

    loss: torch.Tensor  # the total minimised: place + HD + L2
    place_loss: torch.Tensor
    hd_loss: torch.Tensor
    l2: torch.Tensor
    out: ModelOutput
    lr: float


@dataclass(frozen=True)
class StepSettings:
    """What every optimisation step of a run shares: the optimiser, the config (its learning-rate
    schedule, L2 weight and gradient clip) and the parameters whose gradients are clipped
    (None: :func:`clip_params` of the model, found again at each step)."""

    opt: torch.optim.Optimizer
    cfg: TrainConfig
    clipped: list[torch.Tensor] | None = None


def train_step(
    model: GridCellNetwork,
    ensembles: Ensembles,
    settings: StepSettings,
    traj: Trajectories,
    step: int,
    check: bool = False,
) -> Step:
    """One optimisation step at ``step``: set the learning rate, compute the loss, back-propagate,
    clip and update (:func:`optimisation_step`).

    With ``check``, a non-finite loss raises FloatingPointError before the weights change.
    """
    forward = partial(losses, model, ensembles, traj)
    return optimisation_step(model, forward, settings, step, check=check)


def optimisation_step(
    model: torch.nn.Module,
    forward: Callable[[], tuple[torch.Tensor, torch.Tensor, ModelOutput]],
    settings: StepSettings,
    step: int,
    per_model: bool = False,
    check: bool = False,
) -> Step:
    """One optimisation step of ``model``, whose place and HD losses ``forward`` computes: set
    the learning rate, add the L2 term, back-propagate, clip (``settings.clipped``) and update.

    With ``per_model``, ``model`` is M stacked networks and every loss is one per model (M,);
    the total back-propagated is their sum, so each model's slice gets its own gradient. With
    ``check``, a non-finite loss raises FloatingPointError before the weights change.
    """
    opt, cfg, clipped = settings.opt, settings.cfg, settings.clipped
    lr = learning_rate(cfg, step)
    for group in opt.param_groups:
        group["lr"] = lr
    place_loss, hd_loss, out = forward()
    l2 = l2_term(model, cfg, per_model)
    loss = place_loss + hd_loss + l2
    if check and not torch.isfinite(loss).all():
        raise FloatingPointError(f"loss is {loss.tolist()} at step {step}")
    opt.zero_grad(set_to_none=True)
    loss.sum().backward()
    clip_gradients(clip_params(model, cfg) if clipped is None else clipped, cfg.grad_clip)
    opt.step()
    return Step(loss.detach(), place_loss.detach(), hd_loss.detach(), l2.detach(), out, lr)
