"""Vector-based navigation from a trained network's code (Banino et al. 2018, Fig. 3 and 4).

The paper's title claim: a grid code lets an agent compute the direction and distance to a
remembered goal. DeepMind's agent (deep reinforcement learning on top of the grid network) was
never released and is far beyond a CPU budget, so this module builds its core with frozen
networks and small supervised read-outs:

1. **Goal-vector decoding** (:func:`decode_goal_vectors`). A trained network runs, dropout off,
   along fresh trajectories. Pairs of moments give a current code and a goal code (half the
   goals earlier in the same trajectory, half in another trajectory, for longer distances);
   a read-out maps ``[code_now, code_goal]`` to the displacement ``goal - now`` (m): a ridge
   regression in closed form, then a small MLP trained with Adam. Inputs compared: the
   grid-like bottleneck units (DeepMind's 60-degree score > 0.37), the other bottleneck units,
   the whole bottleneck, the place-cell code (the ensemble's true activations), an untrained
   network's bottleneck, and the true position (a bound). Read-outs learn on pairs closer than
   ``train_distance`` and are tested on fresh pairs at every distance.
2. **A navigating agent** (:func:`navigate`). Each episode explores for ``explore_steps`` (the
   simulated rat); a moment of the first half of that path is the goal, whose code the agent
   keeps. From the end of the exploration the agent, with the network's state as it is there,
   steps along its decoded goal vector at the rat's mean speed (turns clipped to
   ``max_turn``, steps stopped at the walls) and feeds the network its own egocentric velocity,
   so its code comes from the network's path integration, never from the true position.
   Success: within ``tolerance`` (10 cm) of the goal within ``max_steps``; path ratio: path
   length to the goal over the straight line, for successful episodes. Agents: ``grid`` (the
   ridge read-out of the grid-like units), ``place`` (the network's own position estimate:
   decoded place logits at the goal minus now), ``random`` (the rat's random foraging from the
   same start) and ``oracle`` (the true vector: a check of the loop, not a model).
3. **Lesions** (:func:`lesion_curve`). A read-out of the whole bottleneck, trained intact, reads
   codes whose top-k grid-like units (by score), or k random units, are set to 0; the same
   lesion drives a bottleneck agent.

The agent loop and the random walk live in :mod:`gridcore.navigation.agents`; the paper's shortcut
test (an arena with internal walls and a door that opens at test time) in
:mod:`gridcore.navigation.shortcuts`. Navigation needs a recurrent core (the agent steps the network
one velocity at a time): the attention core is refused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from torch import nn

from gridcore.analysis.results import score_network
from gridcore.errors import GridcoreError
from gridcore.navigation.agents import AgentResult, OraclePolicy, random_walk, run_agent
from gridcore.net.runs import Network, untrained_network
from gridcore.net.task import model_inputs
from gridcore.paper import GRID_THRESHOLD
from gridcore.world.trajectories import simulate

NAV_SEED = 555_000_111  # navigation data never coincide with training, ratemap or PI data
INPUTS = ("grid", "non-grid", "bottleneck", "place code", "untrained", "true position")
DISTANCE_BINS_M = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.2)
SPLITS = ("distance", "half")  # how goal-vector read-outs are kept from their test pairs


# --------------------------------------------------------------------------------------------
# Read-outs: [code_now, code_goal] -> goal - now (m)


@dataclass
class LinearReadout:
    """Ridge regression on standardised inputs: ``y = ((x - mean) / std) @ weight + bias``."""

    mean: torch.Tensor
    std: torch.Tensor
    weight: torch.Tensor
    bias: torch.Tensor

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return ((x - self.mean) / self.std) @ self.weight + self.bias


def _standardise(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and s.d. of each column, the s.d. at least a tenth of the median: a rarely active
    unit (a sparse place cell) must not blow up on unseen data."""
    std = x.std(0)
    floor = 0.1 * std[std > 0].median() if (std > 0).any() else torch.tensor(1.0)
    return x.mean(0), std.clamp_min(float(floor))


def fit_linear(x: torch.Tensor, y: torch.Tensor, ridge: float = 1e-3) -> LinearReadout:
    """Closed-form ridge fit of ``y`` (P, 2) on ``x`` (P, d): penalty ``ridge * P`` on the
    weights of the standardised inputs (not on the bias), solved in float64."""
    if x.ndim != 2 or y.ndim != 2 or x.shape[0] != y.shape[0] or x.shape[0] < 2:
        raise ValueError(
            f"need x (P, d) and y (P, k) with P >= 2, got {tuple(x.shape)}, {tuple(y.shape)}"
        )
    mean, std = _standardise(x)
    z = ((x - mean) / std).double()
    ym = y.double().mean(0)
    gram = z.T @ z + ridge * x.shape[0] * torch.eye(z.shape[1], dtype=torch.float64)
    weight = torch.linalg.solve(gram, z.T @ (y.double() - ym))
    return LinearReadout(mean, std, weight.float(), ym.float())


class MLPReadout(nn.Module):
    """A small MLP on standardised inputs (one hidden ReLU layer), output in metres."""

    def __init__(self, mean: torch.Tensor, std: torch.Tensor, hidden: int, out: int) -> None:
        super().__init__()
        self.register_buffer("mean", mean)
        self.register_buffer("std", std)
        self.net = nn.Sequential(nn.Linear(mean.numel(), hidden), nn.ReLU(), nn.Linear(hidden, out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net((x - self.mean) / self.std)


def fit_mlp(x, y, hidden=128, steps=400, lr=3e-3, batch=256, seed=0) -> MLPReadout:
    """An :class:`MLPReadout` trained with Adam on the mean squared error for ``steps``
    minibatches of ``batch`` pairs; weights and batches drawn from ``seed``."""
    mean, std = _standardise(x)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        mlp = MLPReadout(mean, std, hidden, y.shape[1])
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(mlp.parameters(), lr=lr)
    for _ in range(steps):
        idx = torch.randint(0, x.shape[0], (min(batch, x.shape[0]),), generator=gen)
        loss = ((mlp(x[idx]) - y[idx]) ** 2).sum(-1).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return mlp.eval().requires_grad_(False)


# --------------------------------------------------------------------------------------------
# The network's codes along trajectories, and pairs of moments


def grid_unit_scores(net: Network, n_trajectories: int = 5000, seed: int = 0) -> np.ndarray:
    """DeepMind's 60-degree grid score of every bottleneck unit (32-bin ratemaps on
    ``n_trajectories`` fresh trajectories, no shuffles); NaN scores become -inf."""
    scored = score_network(net, n_trajectories=n_trajectories, seed=seed, n_shuffles=0)
    scores = np.asarray(scored.scores["deepmind"].grid_score_60, dtype=float)
    return np.where(np.isfinite(scores), scores, -np.inf)


def grid_units(scores: np.ndarray, threshold: float = GRID_THRESHOLD) -> np.ndarray:
    """Indices of the grid-like units (score above ``threshold``), highest score first."""
    order = np.argsort(-scores, kind="stable")
    return order[scores[order] > threshold]


def require_recurrent(net: Network) -> None:
    """Refuse (GridcoreError) a network that cannot be stepped one velocity at a time."""
    if net.model.core_name == "attention":
        why = "navigation steps the network one velocity at a time: it needs a recurrent core"
        raise GridcoreError(f"{why} (lstm, gru, rnn, rnn_relu); this run's core is attention")


@torch.no_grad()
def run_codes(net: Network, traj) -> tuple[torch.Tensor, torch.Tensor, object]:
    """``net`` along ``traj``, its model put in evaluation mode (dropout off): bottleneck
    (B, T, n), place logits (B, T, N) and the core's final state (to step on from)."""
    model, ensembles = net.model.eval(), net.ensembles
    vel = model_inputs(model, traj, ensembles)  # an anchored network reads its anchors too
    hidden, state = model.core(vel, model.initial_state(ensembles.initial_code(traj)))
    g = model.bottleneck(hidden)
    return g, model.place_head(g), state


def record(
    net: Network, grid: np.ndarray, n_trajectories: int, seq_len: int, generator, seed: int = 0
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """Positions (B, T, 2) m and every input of :data:`INPUTS`, {name: (B, T, d)}, along
    ``n_trajectories`` fresh trajectories (the untrained network's weights from ``seed``)."""
    traj = simulate(n_trajectories, seq_len, net.motion, generator=generator)
    g, _, _ = run_codes(net, traj)
    g0, _, _ = run_codes(untrained_network(net.cfg, seed=seed), traj)
    others = np.setdiff1d(np.arange(g.shape[-1]), grid)
    pos = traj.target_pos
    codes = {
        "grid": g[..., torch.as_tensor(grid, dtype=torch.long)],
        "non-grid": g[..., torch.as_tensor(others, dtype=torch.long)],
        "bottleneck": g,
        "place code": net.ensembles.place.activations(pos),
        "untrained": g0,
        "true position": pos,
    }
    return pos, codes


def sample_pairs(n_trajectories: int, seq_len: int, n_pairs: int, generator, same_fraction=0.5):
    """(P, 2) flat indices ``trajectory * seq_len + step`` of the current moment and of the
    goal. A ``same_fraction`` of the goals lie earlier in the same trajectory; the rest are any
    moment of another trajectory (a place the network visited in another run)."""
    i = torch.randint(0, n_trajectories, (n_pairs,), generator=generator)
    t = torch.randint(1, seq_len, (n_pairs,), generator=generator)
    same = torch.rand(n_pairs, generator=generator) < same_fraction
    if n_trajectories < 2:
        same = torch.ones_like(same)
    earlier = (torch.rand(n_pairs, generator=generator) * t).long()  # 0 .. t - 1
    shift = torch.randint(1, max(n_trajectories, 2), (n_pairs,), generator=generator)
    anywhen = torch.randint(0, seq_len, (n_pairs,), generator=generator)
    j = torch.where(same, i, (i + shift) % n_trajectories)
    t_goal = torch.where(same, earlier, anywhen)
    return i * seq_len + t, j * seq_len + t_goal


def pair_inputs(code: torch.Tensor, now: torch.Tensor, goal: torch.Tensor) -> torch.Tensor:
    """(P, 2 d) ``[code_now, code_goal]`` from codes (B, T, d) and flat indices (P,)."""
    flat = code.reshape(-1, code.shape[-1])
    return torch.cat([flat[now], flat[goal]], dim=-1)


# --------------------------------------------------------------------------------------------
# 1. Goal-vector decoding


@dataclass
class Decoding:
    """Test errors of every (input, read-out) on the same test pairs.

    ``errors_cm[(input, readout)]``: (P,) distance between decoded and true goal vector, cm;
    ``distances_m``: (P,) true goal distance; ``train_distance``: the read-outs saw only pairs
    closer than this (m); ``split``: how training and test pairs were separated, by distance
    or by half of the box (:func:`decode_goal_vectors`)."""

    errors_cm: dict[tuple[str, str], np.ndarray]
    distances_m: np.ndarray
    train_distance: float
    n_units: dict[str, int]
    split: str = "distance"

    def table(self, bins=DISTANCE_BINS_M) -> pd.DataFrame:
        """Mean error (cm) per goal-distance bin (rows) for every input and read-out
        (columns); a last column counts the test pairs in each bin. Bins beyond
        ``train_distance`` are marked '(beyond training)'."""
        bins = np.asarray(bins, dtype=float)
        which = np.digitize(self.distances_m, bins) - 1
        labels, rows = [], []
        for b in range(len(bins) - 1):
            sel = which == b
            extra = " (beyond training)" if bins[b] >= self.train_distance else ""
            labels.append(f"{100 * bins[b]:.0f}–{100 * bins[b + 1]:.0f} cm{extra}")
            row = {
                f"{name}, {kind}": float(err[sel].mean()) if sel.any() else float("nan")
                for (name, kind), err in self.errors_cm.items()
            }
            row["test pairs"] = int(sel.sum())
            rows.append(row)
        df = pd.DataFrame(rows, index=pd.Index(labels, name="goal distance"))
        return df.round(1)

    def readout_table(self, kind: str = "linear", bins=DISTANCE_BINS_M) -> pd.DataFrame:
        """:meth:`table` for one read-out (``kind``): mean error (cm) per goal distance, one
        column per input, with the number of test pairs per distance."""
        table = self.table(bins)
        part = table.filter(like=f", {kind}").rename(columns=lambda c: c.rsplit(", ", 1)[0])
        part = part.assign(**{"test pairs": table["test pairs"]})
        part.index = [label.replace(" (beyond training)", "") for label in part.index]
        part.columns.name = "goal distance"
        return part

    def mean_error(self, name: str, kind: str = "linear", beyond: bool | None = None) -> float:
        """Mean error (cm) of one input and read-out; ``beyond`` True: only pairs at or beyond
        ``train_distance``, False: only closer ones, None: all."""
        err, d = self.errors_cm[(name, kind)], self.distances_m
        sel = np.ones_like(d, bool) if beyond is None else (d >= self.train_distance) == beyond
        return float(err[sel].mean()) if sel.any() else float("nan")


def decode_goal_vectors(
    net: Network,
    grid: np.ndarray,
    n_trajectories: int = 400,
    seq_len: int = 100,
    n_pairs: int = 20000,
    train_distance: float = 1.0,
    ridge: float = 1e-3,
    mlp_steps: int = 400,
    seed: int = 0,
    inputs=INPUTS,
    split: str = "distance",
) -> Decoding:
    """Fit the read-outs of every input on pairs from ``n_trajectories`` trajectories and test
    them on pairs of as many fresh trajectories (``n_pairs`` drawn from each). ``split``
    "distance": fit on pairs closer than ``train_distance`` (m), test at any distance; "half":
    fit on pairs with both ends in the box's west half (x < 0), test on pairs with both in its
    east half, at any distance (a read-out that learnt the places it saw, not the difference of
    two positions, fails there). ``mlp_steps`` 0 skips the MLP."""
    if split not in SPLITS:
        raise GridcoreError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
    require_recurrent(net)
    gen = torch.Generator().manual_seed(NAV_SEED + seed)
    (train_pos, train), (test_pos, test) = (
        record(net, grid, n_trajectories, seq_len, gen) for _ in range(2)
    )
    now, goal = sample_pairs(n_trajectories, seq_len, n_pairs, gen)
    t_now, t_goal = sample_pairs(n_trajectories, seq_len, n_pairs, gen)
    y_train = train_pos.reshape(-1, 2)[goal] - train_pos.reshape(-1, 2)[now]
    y_test = test_pos.reshape(-1, 2)[t_goal] - test_pos.reshape(-1, 2)[t_now]
    if split == "half":
        keep = _in_west(train_pos, now) & _in_west(train_pos, goal)
        test_keep = ~_in_west(test_pos, t_now) & ~_in_west(test_pos, t_goal)
        t_now, t_goal, y_test = t_now[test_keep], t_goal[test_keep], y_test[test_keep]
        train_distance = math.inf
    else:
        keep = y_train.norm(dim=-1) < train_distance
    now, goal, y_train = now[keep], goal[keep], y_train[keep]
    errors = {}
    with torch.no_grad():
        for name in inputs:
            x = pair_inputs(train[name], now, goal)
            xt = pair_inputs(test[name], t_now, t_goal)
            fits = {"linear": fit_linear(x, y_train, ridge)}
            if mlp_steps > 0:
                with torch.enable_grad():
                    fits["MLP"] = fit_mlp(x, y_train, steps=mlp_steps, seed=seed)
            for kind, readout in fits.items():
                errors[(name, kind)] = 100 * (readout(xt) - y_test).norm(dim=-1).numpy()
    n_units = {k: int(v.shape[-1]) for k, v in train.items()}
    return Decoding(errors, y_test.norm(dim=-1).numpy(), float(train_distance), n_units, split)


def _in_west(pos: torch.Tensor, flat: torch.Tensor) -> torch.Tensor:
    """(P,) whether the moments at flat indices ``flat`` of positions (B, T, 2) lie at x < 0."""
    return pos.reshape(-1, 2)[flat, 0] < 0


def fit_agent_readout(
    net: Network,
    units: np.ndarray,
    n_trajectories: int = 400,
    seq_len: int = 100,
    n_pairs: int = 20000,
    ridge: float = 1e-3,
    seed: int = 0,
    walls=None,
) -> LinearReadout:
    """The ridge read-out an agent uses: bottleneck ``units`` -> goal vector, on pairs at any
    distance, along trajectories of the rat in the box (among ``walls``, if given)."""
    require_recurrent(net)
    gen = torch.Generator().manual_seed(NAV_SEED + 7 + seed)
    traj = simulate(n_trajectories, seq_len, net.motion, generator=gen, walls=walls)
    g, _, _ = run_codes(net, traj)
    g = g[..., torch.as_tensor(units, dtype=torch.long)]
    now, goal = sample_pairs(n_trajectories, seq_len, n_pairs, gen)
    pos = traj.target_pos.reshape(-1, 2)
    return fit_linear(pair_inputs(g, now, goal), pos[goal] - pos[now], ridge)


# --------------------------------------------------------------------------------------------
# 2. The navigating agent


@dataclass
class Episodes:
    """B navigation episodes: start (after exploring) and goal, and the network's state there."""

    start_pos: torch.Tensor  # (B, 2) m
    start_hd: torch.Tensor  # (B,) rad
    goal_pos: torch.Tensor  # (B, 2) m
    goal_code: torch.Tensor  # (B, n) bottleneck at the goal
    goal_logits: torch.Tensor  # (B, N) place logits at the goal
    now_code: torch.Tensor  # (B, n) bottleneck at the start
    now_logits: torch.Tensor  # (B, N)
    state: object = None  # the core's state at the start

    @property
    def task(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(start_pos, start_hd, goal_pos)."""
        return self.start_pos, self.start_hd, self.goal_pos


@torch.no_grad()
def explore(
    net: Network, n_episodes: int, explore_steps=100, min_distance=0.25, seed=0
) -> Episodes:
    """Simulate the rat exploring for ``explore_steps``; the goal is a moment of the first half
    of its path at least ``min_distance`` (m) from where it ends (the start), when there is
    one. The episodes' random numbers come from ``seed``."""
    require_recurrent(net)
    gen = torch.Generator().manual_seed(NAV_SEED + 1000 + seed)
    traj = simulate(n_episodes, explore_steps, net.motion, generator=gen)
    g, logits, state = run_codes(net, traj)
    half_len = max(1, explore_steps // 2)
    dist = (traj.target_pos[:, :half_len] - traj.target_pos[:, -1:]).norm(dim=-1)
    score = torch.rand(n_episodes, half_len, generator=gen) + (dist >= min_distance).float()
    t_goal = score.argmax(dim=1)
    rows = torch.arange(n_episodes)
    return Episodes(
        start_pos=traj.target_pos[:, -1].clone(),
        start_hd=traj.target_hd[:, -1].clone(),
        goal_pos=traj.target_pos[rows, t_goal],
        goal_code=g[rows, t_goal],
        goal_logits=logits[rows, t_goal],
        now_code=g[:, -1],
        now_logits=logits[:, -1],
        state=state,
    )


class NetworkPolicy:
    """Drives an agent by the network's own path integration: after each step the core reads
    the agent's velocity, and ``vector(code, place_logits)`` decodes the goal vector from the
    new code, whose ``lesion`` units are 0. A policy is called with the true positions (B, 2)
    (which only :class:`OraclePolicy` reads) and told each step's velocity by ``update``."""

    def __init__(self, net: Network, episodes: Episodes, vector, lesion: np.ndarray | None = None):
        self.model, self.vector = net.model.eval(), vector
        self.state = episodes.state
        self.code, self.logits = episodes.now_code, episodes.now_logits
        self.mask = torch.ones(self.code.shape[-1])
        if lesion is not None and len(lesion):
            self.mask[torch.as_tensor(np.asarray(lesion), dtype=torch.long)] = 0.0

    def __call__(self, pos: torch.Tensor) -> torch.Tensor:
        return self.vector(self.code * self.mask, self.logits)

    @torch.no_grad()
    def update(self, velocity: torch.Tensor) -> None:
        hidden, self.state = self.model.core(velocity[:, None], self.state)
        self.code = self.model.bottleneck(hidden[:, 0])
        self.logits = self.model.place_head(self.code * self.mask)


def drive(net: Network, ep: Episodes, policy, max_steps: int = 250) -> AgentResult:
    """:func:`run_agent` on the episodes ``ep`` in ``net``'s box, with its velocity input."""
    vin = net.model.velocity_input
    return run_agent(policy, *ep.task, net.motion, max_steps, velocity_input=vin)


def readout_vector(readout: LinearReadout, units: np.ndarray, goal_code: torch.Tensor):
    """The goal vector ``(code, place_logits) -> (B, 2)`` m of a :class:`NetworkPolicy`: the
    read-out of the code's ``units`` beside the same units of ``goal_code``."""
    idx = torch.as_tensor(np.asarray(units), dtype=torch.long)
    goal = goal_code[:, idx]
    return lambda code, logits: readout(torch.cat([code[:, idx], goal], dim=-1))


@dataclass
class Navigation:
    """The agents' results on the same episodes, and what drove them."""

    agents: dict[str, AgentResult]
    n_grid_units: int
    max_steps: int

    def table(self) -> pd.DataFrame:
        """Success rate (%), median path ratio and mean steps of successful episodes per
        agent."""
        rows = {
            name: {
                "success (%)": round(100 * r.success_rate, 1),
                "path / straight line (median)": round(r.path_ratio, 2),
                "steps to the goal (mean, successes)": round(float(r.steps[r.success].mean()), 1)
                if r.success.any()
                else float("nan"),
            }
            for name, r in self.agents.items()
        }
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("agent")

    def summary(self) -> dict:
        out = {"episodes": int(len(next(iter(self.agents.values())).success))}
        for name, r in self.agents.items():
            out[f"{name}_success_rate"] = r.success_rate
            out[f"{name}_path_ratio"] = r.path_ratio
        d = next(iter(self.agents.values())).distance_m
        return {
            **out,
            "n_grid_units": self.n_grid_units,
            "max_steps": self.max_steps,
            "mean_goal_distance_m": float(d.mean()),
        }


def navigate(
    net: Network,
    grid: np.ndarray,
    n_episodes: int = 200,
    max_steps: int = 250,
    explore_steps: int = 100,
    seed: int = 0,
    readout: LinearReadout | None = None,
    readout_trajectories: int = 400,
) -> Navigation:
    """Run the grid, place, random and oracle agents on the same ``n_episodes`` episodes."""
    if n_episodes < 1 or max_steps < 1:
        raise GridcoreError(f"need episodes, max_steps >= 1, got {n_episodes}, {max_steps}")
    if len(grid) == 0:
        raise GridcoreError("the network has no grid-like units (score > 0.37): no grid agent")
    if readout is None:
        readout = fit_agent_readout(net, grid, n_trajectories=readout_trajectories, seed=seed)
    ep = explore(net, n_episodes, explore_steps, seed=seed)
    place = net.ensembles.place
    goal_est = place.decode(ep.goal_logits)  # the network's own estimate of the goal
    agents = {
        "grid": NetworkPolicy(net, ep, readout_vector(readout, grid, ep.goal_code)),
        "place": NetworkPolicy(net, ep, lambda code, logits: goal_est - place.decode(logits)),
        "random": None,
        "oracle": OraclePolicy(ep.goal_pos),
    }
    for name, policy in agents.items():
        if policy is None:
            agents[name] = random_walk(*ep.task, net.motion, max_steps, seed=seed)
        else:
            agents[name] = drive(net, ep, policy, max_steps)
    return Navigation(agents, int(len(grid)), int(max_steps))


# --------------------------------------------------------------------------------------------
# 3. Lesions


LESION_COLUMNS = ("units silenced", "lesion", "decoding error (cm)", "success (%)")


def lesion_units(
    scores: np.ndarray, k: int, kind: str, generator: np.random.Generator | None = None
) -> np.ndarray:
    """The ``k`` units to silence: the top-k by grid score (``kind="grid"``), or k drawn at
    random from all units (``kind="random"``)."""
    n = len(scores)
    if not 0 <= k <= n:
        raise ValueError(f"k must be in [0, {n}], got {k}")
    if kind == "grid":
        return np.argsort(-scores, kind="stable")[:k]
    if kind == "random":
        gen = generator or np.random.default_rng(0)
        return np.sort(gen.choice(n, size=k, replace=False))
    raise ValueError(f"kind must be 'grid' or 'random', got {kind!r}")


def silence(code: torch.Tensor, units: np.ndarray) -> torch.Tensor:
    """A copy of ``code`` (..., n) with ``units`` set to 0."""
    out = code.clone()
    out[..., torch.as_tensor(np.asarray(units), dtype=torch.long)] = 0.0
    return out


def lesion_curve(
    net: Network,
    scores: np.ndarray,
    ks=(0, 8, 16, 32, 64),
    n_episodes: int = 100,
    max_steps: int = 250,
    n_trajectories: int = 400,
    n_pairs: int = 10000,
    n_random: int = 3,
    seed: int = 0,
) -> pd.DataFrame:
    """Decoding error (cm, linear read-out of the whole bottleneck, trained intact) and the
    bottleneck agent's success (%) with the top-k grid units or k random units silenced.
    Random lesions are averaged over ``n_random`` draws. One row per (k, lesion)."""
    all_units = np.arange(len(scores))
    readout = fit_agent_readout(net, all_units, n_trajectories=n_trajectories, seed=seed)
    gen = torch.Generator().manual_seed(NAV_SEED + 3000 + seed)
    traj = simulate(n_trajectories, 100, net.motion, generator=gen)
    g, _, _ = run_codes(net, traj)
    now, goal = sample_pairs(n_trajectories, 100, n_pairs, gen)
    pos = traj.target_pos.reshape(-1, 2)
    y = pos[goal] - pos[now]
    ep = explore(net, n_episodes, seed=seed + 1)
    rng = np.random.default_rng(seed)
    rows = []
    for k in ks:
        for kind in ("grid", "random"):
            draws = 1 if kind == "grid" or k == 0 else n_random
            errs, succ = [], []
            for _ in range(draws):
                units = lesion_units(scores, int(k), kind, rng)
                with torch.no_grad():
                    pred = readout(pair_inputs(silence(g, units), now, goal))
                errs.append(100 * float((pred - y).norm(dim=-1).mean()))
                vector = readout_vector(readout, all_units, silence(ep.goal_code, units))
                res = drive(net, ep, NetworkPolicy(net, ep, vector, lesion=units), max_steps)
                succ.append(100 * res.success_rate)
            row = (int(k), kind, float(np.mean(errs)), float(np.mean(succ)))
            rows.append(dict(zip(LESION_COLUMNS, row, strict=True)))
    return pd.DataFrame(rows).round(1)
