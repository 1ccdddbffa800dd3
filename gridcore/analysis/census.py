"""A cell-type census of a network: which units code for speed, heading, borders or a grid.

The network runs, dropout off, on fresh trajectories; its bottleneck, the recurrent core's
output (hidden state) and, for an LSTM, its cell state are recorded at every step together with
the rat's position, heading and running speed. :mod:`gridcore.scoring.celltypes` scores each unit
and builds the time-shift nulls; this module records and tabulates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from gridcore.analysis.ratemaps import EVAL_SEED
from gridcore.net.runs import Network
from gridcore.net.task import motion_of, run
from gridcore.scoring.celltypes import TYPES, Behaviour, Census, census, comparable
from gridcore.world.trajectories import simulate

LAYER_NAMES = {
    "bottleneck": "bottleneck (before dropout)",
    "hidden": "recurrent core: hidden state",
    "cell": "LSTM cell state",
}


@dataclass
class Recording:
    """A network on fresh trajectories, flattened in time order (T = trajectories x steps).

    ``positions`` (T, 2) m, ``headings`` (T,) rad, ``speeds`` (T,) m/s; ``layers[name]`` is
    (T, units) float32, for the names of :data:`LAYER_NAMES` that the network has.
    """

    positions: np.ndarray
    headings: np.ndarray
    speeds: np.ndarray
    layers: dict[str, np.ndarray]
    box_width: float
    box_height: float

    def behaviour(self, nbins: int = 32, hd_bins: int = 36) -> Behaviour:
        return Behaviour(
            self.positions,
            self.headings,
            self.speeds,
            nbins,
            hd_bins,
            self.box_width,
            self.box_height,
        )


def _lstm_states(core: torch.nn.LSTM, x: torch.Tensor, state) -> tuple[torch.Tensor, ...]:
    """(B, T, hidden) hidden and cell states of a one-layer LSTM, one step at a time."""
    h, c = state
    hs, cs = [], []
    for t in range(x.shape[1]):
        _, (h, c) = core(x[:, t : t + 1], (h, c))
        hs.append(h[0])
        cs.append(c[0])
    return torch.stack(hs, dim=1), torch.stack(cs, dim=1)


@torch.no_grad()
def record(
    net: Network,
    n_trajectories: int = 1000,
    batch_size: int = 500,
    seed: int = EVAL_SEED,
) -> Recording:
    """Run ``net`` (evaluation mode) on ``n_trajectories`` fresh trajectories of the motion model
    it was trained with, simulated from ``seed``, and record its layers and the rat's behaviour.

    The cell state is recomputed by stepping the core from the inputs and initial state it
    received (PyTorch's fused LSTM returns only the last one); the stepped hidden states must
    match the network's own, or a RuntimeError says so.
    """
    if n_trajectories < 1 or batch_size < 1:
        raise ValueError(
            f"need n_trajectories, batch_size >= 1, got {n_trajectories}, {batch_size}"
        )
    model, ensembles, cfg = net.model, net.ensembles, net.cfg
    was_training = model.training
    model.eval()
    motion = motion_of(cfg)
    gen = torch.Generator().manual_seed(seed)
    seen: dict[str, tuple] = {}
    hook = model.core.register_forward_hook(lambda _m, args, _o: seen.update(args=args))
    parts: dict[str, list[np.ndarray]] = {"pos": [], "hd": [], "speed": []}
    try:
        done = 0
        while done < n_trajectories:
            n = min(batch_size, n_trajectories - done)
            traj = simulate(n, cfg.seq_len, motion, generator=gen)
            out = run(model, ensembles, traj)
            got = {"bottleneck": out.bottleneck, "hidden": out.hidden}
            if isinstance(model.core, torch.nn.LSTM) and model.core.num_layers == 1:
                x, state = seen["args"][:2]
                h, c = _lstm_states(model.core, x, state)
                if not torch.allclose(h, out.hidden, atol=1e-4, rtol=1e-4):
                    raise RuntimeError("stepping the LSTM did not reproduce its hidden states")
                got["cell"] = c
            for name, value in got.items():
                parts.setdefault(name, []).append(value.reshape(-1, value.shape[-1]).cpu().numpy())
            parts["pos"].append(traj.target_pos.reshape(-1, 2).numpy())
            parts["hd"].append(traj.target_hd.reshape(-1).numpy())
            parts["speed"].append(traj.speed.reshape(-1).numpy())
            done += n
    finally:
        hook.remove()
        model.train(was_training)
    cat = {k: np.concatenate(v) for k, v in parts.items()}
    return Recording(
        positions=cat.pop("pos").astype(np.float64),
        headings=cat.pop("hd").astype(np.float64),
        speeds=cat.pop("speed").astype(np.float64),
        layers={k: v.astype(np.float32) for k, v in cat.items()},
        box_width=motion.box_width,
        box_height=motion.box_height,
    )


def network_census(
    recording: Recording, n_shuffles: int = 20, seed: int = 0, nbins: int = 32
) -> dict[str, Census]:
    """{layer: :class:`~gridcore.scoring.celltypes.Census`} of every recorded layer, ratemaps of
    ``nbins`` bins per side, ``n_shuffles`` time shifts per unit."""
    behaviour = recording.behaviour(nbins)
    return {
        name: census(behaviour, acts, n_shuffles=n_shuffles, seed=seed)
        for name, acts in recording.layers.items()
    }


def census_table(censuses: dict[str, Census]) -> pd.DataFrame:
    """Units of each type, per layer: rows (layer, type) with the number of units, the number
    and per cent above the threshold, the threshold and its percentile of the null, and the
    median score (speed: of |r|)."""
    rows = []
    for layer, c in censuses.items():
        above = c.above()
        for kind in TYPES:
            score = np.abs(c.scores[kind]) if kind == "speed" else c.scores[kind]
            rows.append(
                {
                    "layer": layer,
                    "type": kind,
                    "units": c.n_units,
                    "above null": int(above[kind].sum()),
                    "per cent": round(100 * float(above[kind].mean()), 1),
                    "threshold": round(c.thresholds[kind], 3),
                    "percentile": c.percentiles[kind],
                    "median score": round(float(np.nanmedian(score)), 3),
                }
            )
    return pd.DataFrame(rows).set_index(["layer", "type"])


def conjunctive_table(censuses: dict[str, Census]) -> pd.DataFrame:
    """Per layer: units of no type, of exactly one, of two or more (conjunctive), and the
    number of units above both thresholds for every pair of types."""
    rows = {}
    for layer, c in censuses.items():
        k = c.n_types()
        row = {
            "none": int((k == 0).sum()),
            "one": int((k == 1).sum()),
            "two or more": int((k >= 2).sum()),
        }
        row.update({f"{a} & {b}": n for (a, b), n in c.conjunctive().items()})
        rows[layer] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("layer")


def best_units(c: Census) -> dict[str, int]:
    """{type: the unit with the highest score of that type (speed: the highest |r|)}."""
    return {kind: int(np.nanargmax(comparable(kind, c.scores[kind]))) for kind in TYPES}
