"""The shortcut test (Banino et al. 2018, Fig. 4): does a grid-code agent take a new short path?

The arena (:func:`gridcore.world.arenas.two_rooms`) is the rat's box split by a wall with a
permanent gap at one end and a door in the middle that stays closed while the rat explores and while
the agent's read-out is fitted, and opens at test. Each episode:

1. **Before the test** (door closed). The simulated rat runs for ``explore_steps`` among the
   walls twice: one path ends in the goal zone (east room), where the network's code is kept as
   the goal's; the other ends in the start zone (west room), and the network's state there is
   the agent's. The grid agent's ridge read-out
   (:func:`gridcore.navigation.vectors.fit_agent_readout`) is fitted on the rat's paths in the
   closed arena.
2. **The test** (door open). From the start, agents step towards the goal among the open
   arena's walls (:func:`gridcore.navigation.agents.run_agent`: a blocked step slides along the
   wall), keeping track of themselves by the network's path integration of their own steps:

   * ``grid``: the grid units' read-out of ``[code_now, code_goal]``, straight at the goal;
   * ``place``: the network's place read-out, its estimate of the goal minus that of now;
   * ``route``: the route learnt with the door closed, the shortest path of the closed arena
     (through the gap), waypoint by waypoint, steering by the same place read-out;
   * ``random``: the rat's random foraging among the open walls;
   * ``oracle``: the true goal vector (a check of the loop, not a model).

Measured per agent: success (within 10 cm of the goal within ``max_steps``), path length over
the shortest path of the open arena (successful episodes, median), and the share of episodes
whose path first passes the wall through the new door (the shortcut) or through the old gap
(an agent that goes round and later wanders back through the door took no shortcut).

The route is handed to the route agent (it is the closed arena's geometry, not learnt from the
rat's paths), and both vector agents head straight for the goal by construction: the test asks
whether the vectors decoded from the network's code are good enough to find a door at 25 cm
either side of the line, not whether an agent discovers that vectors are worth following.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from gridcore.errors import GridcoreError
from gridcore.navigation.agents import (
    AgentResult,
    OraclePolicy,
    paired_success,
    random_walk,
    run_agent,
)
from gridcore.navigation.vectors import (
    NAV_SEED,
    Episodes,
    NetworkPolicy,
    fit_agent_readout,
    grid_unit_scores,
    grid_units,
    navigate,
    readout_vector,
    require_recurrent,
    run_codes,
)
from gridcore.net.runs import Network, load_network
from gridcore.world.arenas import Arena, route_waypoints, shortest_paths, two_rooms
from gridcore.world.trajectories import Trajectories, simulate

SHORTCUT_SEED = NAV_SEED + 5000
AGENTS = ("grid", "place", "route", "random", "oracle")
REACH_M = 0.15  # the route agent moves on to its next waypoint within this distance, m


@torch.no_grad()
def shortcut_episodes(
    net: Network, arena: Arena, n_episodes: int, explore_steps: int = 100, seed: int = 0
) -> Episodes:
    """Episodes whose start lies in the arena's start zone and goal in its goal zone, each the
    end of the rat's path of ``explore_steps`` with the door closed (see the module's text)."""
    require_recurrent(net)
    gen = torch.Generator().manual_seed(SHORTCUT_SEED + seed)
    closed = arena.segments(door_open=False)
    found: dict[str, list[Trajectories]] = {"start": [], "goal": []}
    for _ in range(50):
        traj = simulate(8 * n_episodes, explore_steps, net.motion, generator=gen, walls=closed)
        end = traj.target_pos[:, -1]
        for key, zone in (("start", arena.start_zone), ("goal", arena.goal_zone)):
            found[key].append(traj[torch.nonzero(arena.in_zone(end, zone))[:, 0]])
        if min(sum(len(t) for t in v) for v in found.values()) >= n_episodes:
            break
    else:
        raise GridcoreError("the rat seldom ends its paths in the arena's start or goal zone")
    start, goal = (_first(found[key], n_episodes) for key in ("start", "goal"))
    g, logits, state = run_codes(net, start)
    g_goal, logits_goal, _ = run_codes(net, goal)
    return Episodes(
        start_pos=start.target_pos[:, -1].clone(),
        start_hd=start.target_hd[:, -1].clone(),
        goal_pos=goal.target_pos[:, -1].clone(),
        goal_code=g_goal[:, -1],
        goal_logits=logits_goal[:, -1],
        now_code=g[:, -1],
        now_logits=logits[:, -1],
        state=state,
    )


def _first(parts: list[Trajectories], n: int) -> Trajectories:
    """The first ``n`` trajectories of ``parts``, as one batch."""
    fields = zip(*(vars(t).values() for t in parts), strict=True)
    return Trajectories(*(torch.cat(f)[:n] for f in fields))


class RouteVector:
    """A goal vector that follows waypoints (B, K, 2) m in turn: the vector to the current one
    from ``locate(place_logits)``, the network's estimate of where it is; the next waypoint
    becomes current within ``reach`` (m) of this one."""

    def __init__(self, waypoints: torch.Tensor, locate, reach: float = REACH_M) -> None:
        self.waypoints, self.locate, self.reach = waypoints, locate, reach
        self.current = torch.zeros(len(waypoints), dtype=torch.long)
        self._rows = torch.arange(len(waypoints))

    def __call__(self, code: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
        here = self.locate(logits)
        target = self.waypoints[self._rows, self.current]
        last = self.waypoints.shape[1] - 1
        arrived = ((target - here).norm(dim=-1) < self.reach) & (self.current < last)
        self.current = self.current + arrived.long()
        return self.waypoints[self._rows, self.current] - here


class Tracer:
    """Wraps a policy and keeps the true positions (T, B, 2) it was called with, for the first
    ``keep`` episodes: the agents' paths, for figures."""

    def __init__(self, policy, keep: int) -> None:
        self.policy, self.keep, self.positions = policy, keep, []

    def __call__(self, pos: torch.Tensor) -> torch.Tensor:
        self.positions.append(pos[: self.keep].clone())
        return self.policy(pos)

    def update(self, velocity: torch.Tensor) -> None:
        self.policy.update(velocity)

    def paths(self) -> np.ndarray:
        """(keep, T, 2) positions, m."""
        return torch.stack(self.positions, dim=1).numpy()


@dataclass
class Shortcuts:
    """The agents' results on the same shortcut episodes (door open), the shortest path of the
    open and of the closed arena per episode (m), the error (m) of the network's place read-out
    at the start, after exploring among the walls, and a few episodes' paths per agent."""

    agents: dict[str, AgentResult]
    arena: Arena
    open_m: np.ndarray
    closed_m: np.ndarray
    start_pos: np.ndarray
    goal_pos: np.ndarray
    start_error_m: np.ndarray
    paths: dict[str, np.ndarray]

    def table(self) -> pd.DataFrame:
        """Per agent: success (%), median path over the open arena's shortest path (successes),
        and the share (%) of episodes that first pass the wall through the new door (the
        shortcut) and through the old gap."""
        rows = {
            name: {
                "success (%)": round(100 * r.success_rate, 1),
                "path / shortest path (median)": round(r.path_ratio, 2),
                "shortcut: door first (%)": round(100 * r.first_crossing_rate(0), 1),
                "round by the gap (%)": round(100 * r.first_crossing_rate(1), 1),
            }
            for name, r in self.agents.items()
        }
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("agent")

    def summary(self) -> dict:
        """Flat numbers for the command line: ``shortcut_<agent>_success_rate``,
        ``_path_ratio``, ``_door_first_rate`` (the shortcut taken) and ``_gap_first_rate``
        (round the old way)."""
        out: dict = {"shortcut_episodes": int(len(self.open_m))}
        for name, r in self.agents.items():
            out[f"shortcut_{name}_success_rate"] = r.success_rate
            out[f"shortcut_{name}_path_ratio"] = r.path_ratio
            out[f"shortcut_{name}_door_first_rate"] = r.first_crossing_rate(0)
            out[f"shortcut_{name}_gap_first_rate"] = r.first_crossing_rate(1)
        out["shortcut_mean_open_path_m"] = float(self.open_m.mean())
        out["shortcut_mean_closed_path_m"] = float(self.closed_m.mean())
        return out


def shortcut_test(
    net: Network,
    grid: np.ndarray,
    n_episodes: int = 200,
    max_steps: int = 250,
    explore_steps: int = 100,
    readout_trajectories: int = 400,
    arena: Arena | None = None,
    keep_paths: int = 6,
    seed: int = 0,
) -> Shortcuts:
    """Run the grid, place, route, random and oracle agents on ``n_episodes`` shortcut
    episodes with the door open (see the module's text); keep the paths of ``keep_paths``."""
    if n_episodes < 1 or max_steps < 1:
        raise GridcoreError(f"need episodes, max_steps >= 1, got {n_episodes}, {max_steps}")
    if len(grid) == 0:
        raise GridcoreError("the network has no grid-like units (score > 0.37): no grid agent")
    arena = two_rooms() if arena is None else arena
    closed, opened = arena.segments(door_open=False), arena.segments(door_open=True)
    readout = fit_agent_readout(
        net, grid, n_trajectories=readout_trajectories, seed=seed, walls=closed
    )
    ep = shortcut_episodes(net, arena, n_episodes, explore_steps, seed)
    open_m, _ = shortest_paths(arena, ep.start_pos, ep.goal_pos, door_open=True)
    closed_m, _ = shortest_paths(arena, ep.start_pos, ep.goal_pos, door_open=False)
    place = net.ensembles.place
    goal_est = place.decode(ep.goal_logits)
    route = route_waypoints(arena, ep.start_pos, ep.goal_pos, door_open=False)
    route[torch.arange(n_episodes), -1] = goal_est  # the route ends where the network puts it
    policies = {
        "grid": NetworkPolicy(net, ep, readout_vector(readout, grid, ep.goal_code)),
        "place": NetworkPolicy(net, ep, lambda code, logits: goal_est - place.decode(logits)),
        "route": NetworkPolicy(net, ep, RouteVector(route, place.decode)),
        "oracle": OraclePolicy(ep.goal_pos),
    }
    shortest = torch.as_tensor(open_m, dtype=torch.float32)
    kw = {"walls": opened, "gates": arena.gates(), "shortest_m": shortest}
    agents, paths = {}, {}
    for name in AGENTS:
        if name == "random":
            agents[name] = random_walk(*ep.task, net.motion, max_steps, seed=seed, **kw)
            continue
        tracer = Tracer(policies[name], keep_paths)
        vin = net.model.velocity_input
        agents[name] = run_agent(tracer, *ep.task, net.motion, max_steps, velocity_input=vin, **kw)
        paths[name] = tracer.paths()
    return Shortcuts(
        agents,
        arena,
        open_m,
        closed_m,
        ep.start_pos.numpy(),
        ep.goal_pos.numpy(),
        (place.decode(ep.now_logits) - ep.start_pos).norm(dim=-1).numpy(),
        paths,
    )


# --------------------------------------------------------------------------------------------
# The verdict


def _taken(cut: dict[str, AgentResult]) -> str:
    """Who takes the door, who reaches the goal and by how long a path: the shortcut test's
    figures in words (per cent of episodes, path over the shortest)."""
    door = {a: 100 * r.first_crossing_rate(0) for a, r in cut.items()}
    gap = {a: 100 * r.first_crossing_rate(1) for a, r in cut.items()}
    won = {a: 100 * r.success_rate for a, r in cut.items()}
    ratio = {a: r.path_ratio for a, r in cut.items()}
    return (
        f"With the door open, {door['grid']:.0f} % of the grid agent's episodes take it (pass the "
        f"wall there first), against {door['route']:.0f} % of the route agent's, which go round "
        f"by the gap in {gap['route']:.0f} %, and {door['random']:.0f} % of the random walk's. "
        f"The grid agent reaches the goal in {won['grid']:.0f} % of the episodes "
        f"(path {ratio['grid']:.2f} times the shortest), the place agent in {won['place']:.0f} % "
        f"({ratio['place']:.2f}), the route agent in {won['route']:.0f} % ({ratio['route']:.2f}) "
        f"and the random walk in {won['random']:.0f} %; the oracle in {won['oracle']:.0f} %. "
    )


def _grid_against_route(cut: dict[str, AgentResult]) -> str:
    """Whether the grid agent takes the shortcut more often than the route follower, and
    whether it reaches the goal more often (:func:`gridcore.navigation.agents.paired_success`)."""
    door = {a: 100 * cut[a].first_crossing_rate(0) for a in ("grid", "route")}
    if door["grid"] > door["route"] + 10:
        text = (
            "So the grid agent takes the shortcut and the route follower mostly does not, as in "
            "the paper; but here that is built in: the read-out gives the straight-line vector "
            "whatever the walls, so the grid agent heads for the door as soon as the line runs "
            "through it, and so does the place agent. "
        )
    else:
        text = "The grid agent does not take the shortcut more often than the route follower. "
    paired = paired_success(cut, "grid", "route")
    if paired.word == "beats":
        return text + (
            "Taking it, it also reaches the goal more often than the route follower "
            f"({paired.evidence()}). "
        )
    if paired.word == "loses to":
        return (
            text + f"Even so the route follower reaches the goal more often ({paired.evidence()}). "
        )
    return text + (
        f"The grid agent and the route follower reach the goal about as often ({paired.evidence()}). "
    )


def shortcut_verdict(shortcuts: Shortcuts, box_error_m: float) -> str:
    """The shortcut test in words: who takes the new door and reaches the goal, the grid agent
    against the route follower, what limits the vector agents, and the network's place
    read-out error after exploring among the walls against ``box_error_m`` (m), its error after
    exploring as long in the open box."""
    cut = shortcuts.agents
    won = {a: 100 * r.success_rate for a, r in cut.items()}
    text = _taken(cut) + _grid_against_route(cut)
    if won["grid"] < 0.8 * won["oracle"]:
        text += (
            "What limits the vector agents is the accuracy of their vectors, not the walls: "
            "the network's drift puts the decoded goal tens of centimetres off (above), and an "
            "agent that misses the door by that much presses against the wall beside it and "
            "slides along it, often through the door, sometimes up to the gap "
            f"({100 * cut['grid'].first_crossing_rate(1):.0f} % of the grid agent's episodes). "
        )
    box_cm, arena_cm = 100 * box_error_m, 100 * float(shortcuts.start_error_m.mean())
    text += (
        f"After its 2 s of exploring, the network's place read-out is {arena_cm:.0f} cm off the "
        f"rat's true position among the walls, against {box_cm:.0f} cm after as long in the "
        "open box: "
    )
    text += (
        "the stops and slides at walls, which it never saw in training, seem to make its path "
        "integration worse (though the starts differ too: here always in the zone by the door). "
        if arena_cm > 1.25 * box_cm
        else "the walls, which it never saw in training, cost its path integration little. "
    )
    if won["place"] > won["grid"] + 5:
        text += (
            "The network's own place read-out again does better than the grid units' read-out, "
            "for the reasons given above."
        )
    return text


# --------------------------------------------------------------------------------------------
# The command


def navigate_run(
    run_dir: str | Path,
    episodes: int = 200,
    seed: int = 0,
    score_trajectories: int = 5000,
    max_steps: int = 250,
) -> dict:
    """What ``python -m gridcore navigate RUN_DIR`` prints: the open-box agents' success rates
    and path ratios (:func:`gridcore.navigation.vectors.navigate`) and the shortcut test's, each on
    ``episodes`` episodes of the run's network. Bad input is a GridcoreError."""
    if episodes < 1:
        raise GridcoreError(f"episodes must be a positive integer, got {episodes}")
    if not Path(run_dir).is_dir():
        raise GridcoreError(f"no such run directory: {run_dir}")
    net = load_network(run_dir)
    require_recurrent(net)
    threads = torch.get_num_threads()
    torch.set_num_threads(max(1, net.cfg.threads))  # the run's own; more oversubscribe a CPU
    try:
        with torch.random.fork_rng(devices=[]):
            scores = grid_unit_scores(net, score_trajectories, seed=seed)
            grid = grid_units(scores)
            nav = navigate(net, grid, n_episodes=episodes, max_steps=max_steps, seed=seed)
            cuts = shortcut_test(net, grid, n_episodes=episodes, max_steps=max_steps, seed=seed)
    finally:
        torch.set_num_threads(threads)
    return {"run": str(run_dir), "step": net.step, "seed": seed, **nav.summary(), **cuts.summary()}
