"""Ratemaps of a trained network: mean unit activity per spatial bin along fresh trajectories.

The paper (Methods) runs the trained network on new trajectories, records the bottleneck
activations with dropout off, and averages them in spatial bins over the whole box
(32 x 32 bins in the text, 20 x 20 in DeepMind's code). Unvisited bins are NaN.
"""

from __future__ import annotations

import numpy as np
import torch
from tqdm.auto import tqdm

from gridcore.config import TrainConfig
from gridcore.ensembles import Ensembles
from gridcore.model import GridCellNetwork
from gridcore.scores import RatemapAccumulator
from gridcore.trajectories import Trajectories, get_motion, simulate

EVAL_SEED = 123_456_789  # evaluation trajectories never coincide with training chunks


@torch.no_grad()
def run_network(
    model: GridCellNetwork, ensembles: Ensembles, traj: Trajectories
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Bottleneck activations (B, T, units), decoded positions (B, T, 2) m and headings (B, T)."""
    out = model(traj.velocity, ensembles.initial_code(traj))
    return (
        out.bottleneck,
        ensembles.place.decode(out.place_logits),
        ensembles.hd.decode(out.hd_logits),
    )


@torch.no_grad()
def bottleneck_ratemaps(
    model: GridCellNetwork,
    ensembles: Ensembles,
    cfg: TrainConfig,
    n_trajectories: int = 5000,
    nbins: int = 32,
    batch_size: int = 500,
    seed: int = EVAL_SEED,
    layer: str = "bottleneck",
    progress: bool = False,
) -> np.ndarray:
    """Ratemaps (units, nbins, nbins) of ``layer`` ("bottleneck" or "hidden") over the box.

    Trajectories are simulated with ``cfg``'s motion model from their own seed; the model runs
    in evaluation mode (dropout off unless the config keeps DeepMind's dropout-at-evaluation).
    """
    if n_trajectories < 1 or nbins < 2:
        raise ValueError(f"need n_trajectories >= 1 and nbins >= 2, got {n_trajectories}, {nbins}")
    was_training = model.training
    model.eval()
    motion = get_motion(cfg.motion)
    gen = torch.Generator().manual_seed(seed)
    acc = None
    done = 0
    with tqdm(total=n_trajectories, disable=not progress, desc="ratemaps", unit="traj") as bar:
        while done < n_trajectories:
            n = min(batch_size, n_trajectories - done)
            traj = simulate(n, cfg.seq_len, motion, generator=gen)
            out = model(traj.velocity, ensembles.initial_code(traj))
            acts = out.bottleneck if layer == "bottleneck" else out.hidden
            if acc is None:
                acc = RatemapAccumulator(acts.shape[-1], nbins, motion.box_width, motion.box_height)
            acc.add(
                traj.target_pos.reshape(-1, 2).numpy(), acts.reshape(-1, acts.shape[-1]).numpy()
            )
            done += n
            bar.update(n)
    model.train(was_training)
    return acc.ratemaps()
