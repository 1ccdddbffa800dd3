"""Ratemaps of a network: mean unit activity per spatial bin along fresh trajectories.

The paper (Methods) runs the trained network on new trajectories, records the bottleneck
activations with dropout off, and averages them in spatial bins over the whole box
(32 x 32 bins in the text, 20 x 20 in DeepMind's code). Unvisited bins are NaN.
"""

from __future__ import annotations

import numpy as np
import torch
from tqdm.auto import tqdm

from gridcore.net.config import TrainConfig
from gridcore.net.model import dropout
from gridcore.net.runs import Network
from gridcore.net.task import motion_of, run
from gridcore.scoring.binning import RatemapAccumulator
from gridcore.world.trajectories import Trajectories, simulate

# Seed of the evaluation trajectories, 2-D and 3-D: the stream of chunk k of a training run is
# seeded seed * 1_000_003 + k, which it never meets.
EVAL_SEED = 123_456_789


@torch.no_grad()
def run_network(
    net: Network, traj: Trajectories
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    """``net`` on the trajectories ``traj``, in the mode its model is in: bottleneck activations
    (B, T, units), decoded positions (B, T, 2) m and headings (B, T) rad (None for a network
    without head-direction cells)."""
    out = run(net.model, net.ensembles, traj)
    return (
        out.bottleneck,
        net.ensembles.place.decode(out.place_logits),
        net.ensembles.hd.decode(out.hd_logits) if out.hd_logits is not None else None,
    )


@torch.no_grad()
def bottleneck_ratemaps(
    net: Network,
    n_trajectories: int = 5000,
    nbins: int = 32,
    batch_size: int = 500,
    seed: int = EVAL_SEED,
    layer: str | None = None,
    progress: bool = False,
) -> np.ndarray:
    """Ratemaps (units, nbins, nbins) of ``net``'s ``layer`` over the box (see
    :func:`default_layer`): its mean activity per bin on ``n_trajectories`` fresh trajectories.

    Trajectories are simulated with ``net``'s motion model from their own seed; the model runs
    in evaluation mode. By default a config with ``eval_dropout`` (the ``deepmind`` preset) is
    mapped as DeepMind maps it, from the bottleneck after dropout; any other from the bottleneck
    without dropout.
    """
    batches = _accumulate(net, n_trajectories, (nbins,), batch_size, seed, layer)
    with tqdm(total=n_trajectories, disable=not progress, desc="ratemaps", unit="traj") as bar:
        for done, current in batches:
            bar.update(done - bar.n)
            accs = current
    return accs[nbins].ratemaps()


# --------------------------------------------------------------------------------------------
# Several ratemaps from one pass over the trajectories

LAYERS = ("bottleneck", "hidden", "dropped")


def default_layer(cfg: TrainConfig) -> str:
    """The layer whose maps are scored: "dropped" when ``cfg.eval_dropout`` (DeepMind's
    evaluation keeps dropout on), otherwise "bottleneck" (the paper: dropout off)."""
    return "dropped" if cfg.eval_dropout else "bottleneck"


def _accumulate(
    net: Network,
    n_trajectories: int,
    nbins: tuple[int, ...],
    batch_size: int,
    seed: int,
    layer: str,
    stops: tuple[int, ...] = (),
):
    """Yield (trajectories so far, {nbins: accumulator}) after each batch and at every count in
    ``stops``. Batches are simulated whole and split at the stops, so the trajectories do not
    depend on ``stops``."""
    model, ensembles, cfg = net.model, net.ensembles, net.cfg
    if cfg.dims != 2:
        raise ValueError(
            "these are 2-D ratemaps; map a dims=3 network with gridcore.analysis.ratemaps3d"
        )
    layer = default_layer(cfg) if layer is None else layer
    if layer not in LAYERS:
        raise ValueError(f"layer must be one of {LAYERS}, got {layer!r}")
    if n_trajectories < 1 or batch_size < 1 or min(nbins) < 2:
        raise ValueError(
            f"need n_trajectories, batch_size >= 1 and nbins >= 2, got "
            f"{n_trajectories}, {batch_size}, {nbins}"
        )
    was_training = model.training
    model.eval()
    motion = motion_of(cfg)
    gen = torch.Generator().manual_seed(seed)
    ends = sorted({s for s in stops if 0 < s < n_trajectories} | {n_trajectories})
    accs: dict[int, RatemapAccumulator] = {}
    done = 0
    try:
        with torch.no_grad():
            while done < n_trajectories:
                n = min(batch_size, n_trajectories - done)
                traj = simulate(n, cfg.seq_len, motion, generator=gen)
                out = run(model, ensembles, traj)
                if layer == "hidden":
                    acts = out.hidden
                elif layer == "dropped" and model.eval_dropout:  # what DeepMind records
                    acts = dropout(out.bottleneck, model.dropout)
                else:
                    acts = out.bottleneck
                if not accs:
                    accs = {
                        b: RatemapAccumulator(
                            acts.shape[-1], b, motion.box_width, motion.box_height
                        )
                        for b in nbins
                    }
                cuts = [e - done for e in ends if done < e < done + n] + [n]
                start = 0
                for cut in cuts:
                    pos = traj.target_pos[start:cut].reshape(-1, 2).numpy()
                    part = acts[start:cut]
                    flat = part.reshape(-1, part.shape[-1]).cpu().numpy()
                    for acc in accs.values():
                        acc.add(pos, flat)
                    start = cut
                    yield done + cut, accs
                done += n
    finally:
        model.train(was_training)


def ratemap_accumulators(
    net: Network,
    n_trajectories: int = 5000,
    nbins=(32,),
    batch_size: int = 500,
    seed: int = EVAL_SEED,
    layer: str | None = None,
) -> dict[int, RatemapAccumulator]:
    """One pass of ``net`` over fresh trajectories binned at several resolutions:
    {nbins: accumulator}.

    Each accumulator gives ``.ratemaps()`` (units, n, n) and ``.occupancy()`` (n, n). ``layer``
    is "bottleneck" (before dropout, the default), "hidden" (the LSTM output) or "dropped": the
    bottleneck after dropout, which differs from "bottleneck" only when ``model.eval_dropout``
    is set, as DeepMind's evaluation (it records the dropped tensor of its training graph).
    ``None`` picks :func:`default_layer`. With the same ``seed`` and ``batch_size`` the trajectories are those of
    :func:`bottleneck_ratemaps`.
    """
    nb = tuple(int(b) for b in np.atleast_1d(nbins))
    *_, (_, accs) = _accumulate(net, n_trajectories, nb, batch_size, seed, layer)
    return accs


def ratemaps_by_trajectories(
    net: Network,
    counts=(100, 1000, 5000),
    nbins: int = 32,
    batch_size: int = 500,
    seed: int = EVAL_SEED,
    layer: str | None = None,
) -> dict[int, np.ndarray]:
    """``net``'s ratemaps after the first ``count`` trajectories of one growing sample, for each
    count:
    {count: (units, nbins, nbins)}. Larger counts add trajectories to the smaller ones'. The
    largest count's maps are those of :func:`bottleneck_ratemaps` over that many trajectories,
    and so are those of any count that is a multiple of ``batch_size``."""
    counts = sorted({int(c) for c in counts})
    if not counts or counts[0] < 1:
        raise ValueError(f"counts must be positive, got {counts}")
    out = {}
    for done, accs in _accumulate(
        net, counts[-1], (int(nbins),), batch_size, seed, layer, tuple(counts)
    ):
        if done in counts:
            out[done] = accs[int(nbins)].ratemaps()
    return out
