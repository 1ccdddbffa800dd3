"""Agents that navigate by reinforcement on frozen grid networks: every variant, seed and network.

    python experiments/rl_navigation.py                      # the full experiment (hours)
    python experiments/rl_navigation.py --quick --out /tmp/rl   # a tiny version, for tests
    python experiments/rl_navigation.py --networks grid-lstm --out /tmp/part1   # a part of it
    python experiments/rl_navigation.py --merge /tmp/part1 /tmp/part2   # parts into the whole

For each network (a shipped name or a run directory), observation variant and seed, trains a
PPO agent (:mod:`gridcore.navigation.rl_agents`' settings: ``PPO_DEFAULTS`` and ``TRAIN_OPTIONS``)
for ``--steps`` environment steps with its goals in the box's left half, then tests it, actions
drawn at random and the rat's random walk on the same episodes:

* ``training goals``: goals in the left half, as in training;
* ``held-out goals``: goals in the right half, at least ``--held-out-min-distance`` m away (or,
  where the network's exploration paths never reach that far, as far as they do: the row's
  ``test_min_distance_m`` says which);
* ``lesion``: the training goals with the top-k grid-like units, or k random units, silenced
  (``--lesion-k``; the variants that read the network's bottleneck);
* ``shortcut`` (unless ``--no-shortcut``): a second agent trained in the two-room arena with its
  door closed, tested with the door open; ``door_first_rate`` counts the paths that first went
  through the door.

The agent is tested twice: acting on its policy's mean (``agent``) and sampling its actions
(``agent, sampled``). Writes into ``--out`` (``experiments/rl-navigation``): ``spec.yaml`` (what
runs: networks and their weights' SHA-256, settings), ``navigation.csv`` (one row per agent, test
condition and policy: success rate, median path over the shortest, episodes and environment
steps until the training success reached 50 % over 100 episodes), ``learning_curves.csv`` (training
success, return and length per block of 100 episodes; ``episode`` is the block's last,
``episodes`` its size, smaller for an agent's last block) and the agents under ``agents/``. It
resumes: an agent with rows in ``navigation.csv`` is skipped, a saved agent without rows is tested
again, a half-written one trained again; a ``spec.yaml`` of other settings is refused.

One CPU thread, one process. On one core, a grid agent in the box takes about 160 s (training
75 s, tests 85 s) and one in the two-room arena 230 s, so the full experiment (3 networks, 6
variants, 3 seeds, box and arena: 108 agents) takes some 6 core-hours. Parts of it may run at
once, each into its own ``--out`` (``--networks``, ``--variants``, ``--seeds``), and be merged:
the spec of one directory keeps the union of its parts' networks, variants and seeds.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
import yaml

from gridcore import shipped
from gridcore.errors import GridcoreError
from gridcore.files import atomic_write, write_text_atomic
from gridcore.navigation import rl_agents as rl
from gridcore.navigation.env import VARIANTS, NavigationEnv
from gridcore.navigation.rl_results import ARENA, BOX, CURVES_FILE, RESULTS_FILE, SPEC_FILE
from gridcore.navigation.vectors import grid_unit_scores, grid_units, lesion_units
from gridcore.net.runs import load_network
from gridcore.shipped import network

OUT = Path(__file__).resolve().parent / "rl-navigation"
NETWORKS = ("grid-lstm", "grid-lstm-paper-rat", "grid-lstm-modules")
# What a run may do part of, or add to, in one directory: its spec keeps the union.
GROWING = ("networks", "variants", "seeds")
LESIONED = ("grid", "place", "bottleneck", "grid-no-goal")  # they read the trained bottleneck
KEY = ["network", "variant", "seed", "training"]
CURVE_WINDOW = 100
FULL = {
    "steps": 150_000,
    "seeds": [0, 1, 2],
    "episodes": 200,
    "lesion_k": [10, 20, 40],
    "score_trajectories": 5000,
    "envs": 4,
}
QUICK = {
    "steps": 512,
    "seeds": [0],
    "episodes": 4,
    "lesion_k": [3],
    "score_trajectories": 100,
    "envs": 2,
}


def parse(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=OUT, help="where the tables and agents go")
    p.add_argument("--networks", nargs="+", help=f"shipped names or run directories {NETWORKS}")
    p.add_argument("--variants", nargs="+", choices=VARIANTS, help="observation variants (all)")
    p.add_argument("--seeds", nargs="+", type=int, help="training seeds (0 1 2)")
    p.add_argument("--steps", type=int, help="environment steps per agent (150000)")
    p.add_argument("--envs", type=int, help="environments stepped together, one process (4)")
    p.add_argument("--episodes", type=int, help="test episodes per condition (200)")
    p.add_argument("--lesion-k", nargs="+", type=int, help="units silenced (10 20 40)")
    p.add_argument("--score-trajectories", type=int, help="paths per grid score (5000)")
    p.add_argument("--held-out-min-distance", type=float, default=0.6, help="m (0.6)")
    p.add_argument("--arena-max-steps", type=int, default=200, help="steps per arena episode")
    p.add_argument("--no-shortcut", action="store_true", help="skip the two-room arena agents")
    p.add_argument("--quick", action="store_true", help="a tiny version: 1 seed, few steps")
    p.add_argument(
        "--merge",
        nargs="+",
        type=Path,
        metavar="PART",
        help="merge the finished agents of these --out directories (parts of this experiment "
        "run at once) into --out, and train nothing",
    )
    args = p.parse_args(argv)
    base = QUICK if args.quick else FULL
    for name, value in base.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.networks is None:
        args.networks = [NETWORKS[0]] if args.quick else list(NETWORKS)
    if args.variants is None:
        args.variants = ["grid", "position"] if args.quick else list(VARIANTS)
    return args


def check(args: argparse.Namespace) -> None:
    if min(args.steps, args.envs, args.episodes, args.score_trajectories, args.arena_max_steps) < 1:
        raise GridcoreError(
            "--steps, --envs, --episodes, --score-trajectories and --arena-max-steps must be "
            "positive integers"
        )
    if min(args.lesion_k) < 1 or min(args.seeds) < 0:
        raise GridcoreError("--lesion-k must be positive and --seeds non-negative")
    for name in args.networks:
        network(name)  # a GridcoreError names what is missing


def _where(run_dir) -> str:
    """A network's directory, relative to the checkout (or installed copy) where it is shipped."""
    path = Path(run_dir).resolve()
    root = shipped.root().resolve()
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def spec_of(args: argparse.Namespace, nets: dict) -> dict:
    """What runs: enough to tell a resumed experiment from another one."""
    return {
        "networks": {
            name: {"run_dir": _where(net.run_dir), "sha256": rl.network_sha256(net)}
            for name, net in nets.items()
        },
        "variants": list(args.variants),
        "seeds": list(args.seeds),
        "steps": args.steps,
        "envs": args.envs,
        "algorithm": "ppo",
        "ppo": dict(rl.PPO_DEFAULTS),
        "train_options": {**rl.TRAIN_OPTIONS, "goal_region": "left"},
        "episodes": args.episodes,
        "eval_seed": rl.EVAL_SEED,
        "held_out": {"goal_region": "right", "min_distance": args.held_out_min_distance},
        "lesion_k": list(args.lesion_k),
        "lesion_variants": list(LESIONED),
        "score_trajectories": args.score_trajectories,
        "shortcut": None
        if args.no_shortcut
        else {"arena": ARENA, "max_steps": args.arena_max_steps, "door": "closed, then open"},
        "quick": args.quick,
    }


def write_spec(out: Path, spec: dict) -> None:
    """Write ``spec`` into ``out``, or merge it into the spec already there (:func:`merged`)."""
    path = out / SPEC_FILE
    if path.is_file():
        old = yaml.safe_load(path.read_text()) or {}
        new = merged(old, spec, path)
        if new != old:
            write_text_atomic(path, yaml.safe_dump(new, sort_keys=False))
        return
    write_text_atomic(path, yaml.safe_dump(spec, sort_keys=False))
    # The agents are zip files of pickled objects, rebuilt by this script: only tables go in git.
    write_text_atomic(out / ".gitignore", "agents/\n")


def merged(old: dict, new: dict, path: Path) -> dict:
    """One experiment run in parts: ``old`` with the networks, variants and seeds of ``new``
    added. Every other setting must be the same, and a network named in both the same weights;
    else one clear error (another experiment belongs in another directory)."""

    def fixed(spec: dict) -> dict:
        return {k: v for k, v in _comparable(spec).items() if k not in GROWING}

    if fixed(old) != fixed(new):
        raise GridcoreError(
            f"{path} describes other settings; choose another --out or remove it to start over"
        )
    nets_old, nets_new = old.get("networks") or {}, new.get("networks") or {}
    for name in set(nets_old) & set(nets_new):
        if nets_old[name].get("sha256") != nets_new[name].get("sha256"):
            raise GridcoreError(f"{path} holds agents of another {name} (other weights)")
    return {
        **old,
        "networks": nets_old | {k: v for k, v in nets_new.items() if k not in nets_old},
        "variants": [*old["variants"], *(v for v in new["variants"] if v not in old["variants"])],
        "seeds": sorted(set(old["seeds"]) | set(new["seeds"])),
    }


def _comparable(spec: dict) -> dict:
    """The spec less the networks' directories (a checkout may move; the weights may not)."""
    nets = {k: {"sha256": v.get("sha256")} for k, v in (spec.get("networks") or {}).items()}
    return {**spec, "networks": nets}


def read_table(path: Path) -> pd.DataFrame:
    return pd.read_csv(path) if path.is_file() else pd.DataFrame()


def append_table(path: Path, rows: pd.DataFrame) -> None:
    """Add ``rows`` to the table at ``path``, replacing its rows of the same agents."""
    old = read_table(path)
    if not old.empty:
        mine = finished(rows)
        old = old[[k not in mine for k in old[KEY].astype(str).itertuples(index=False)]]
    table = pd.concat([old, rows], ignore_index=True)
    atomic_write(path, lambda tmp: table.to_csv(tmp, index=False))


def finished(results: pd.DataFrame) -> set[tuple]:
    if results.empty:
        return set()
    return {tuple(row) for row in results[KEY].astype(str).itertuples(index=False)}


def held_out_distance(net, wanted: float) -> float | None:
    """``wanted`` when the network's exploration paths give right-half goals that far, else
    None (the default minimum distance)."""
    try:
        NavigationEnv(net, "position", goal_region="right", min_distance=wanted).reset(seed=0)
    except GridcoreError:
        return None
    return wanted


def trained(net, spec: rl.AgentSpec, directory: Path) -> rl.Agent:
    """The agent saved in ``directory``, or ``spec`` trained into it (a directory a killed run
    left without its manifest is cleared first)."""
    if (directory / rl.MANIFEST).is_file():
        return rl.load_agent(directory, net)
    if directory.exists():
        shutil.rmtree(directory)
    return rl.train_agent(net, spec, directory)


def result_rows(results: dict, arena: bool) -> list[dict]:
    rows = []
    for policy, result in results.items():
        row = {"policy": policy, **rl._result_row(result, arena)}
        row["mean_shortest_m"] = float(result.distance_m.mean())
        rows.append(row)
    return rows


def test(net, agent: rl.Agent, options: dict, episodes: int, with_baselines: bool) -> dict:
    """The agent (mean and sampled actions) and, with ``with_baselines``, actions drawn at
    random and the rat's random walk, on the same episodes."""
    spec = agent.spec
    env = rl.make_env(net, spec.variant, spec.units, options)
    seed = rl.EVAL_SEED + spec.seed
    policies = {"agent": rl.SB3Policy(agent), "agent, sampled": rl.SB3Policy(agent, False)}
    if with_baselines:
        policies["random actions"] = rl.RandomActions(seed)
        policies["random walk"] = rl.RandomWalk(env, seed)
    out = {}
    for name, policy in policies.items():
        torch.manual_seed(seed)
        out[name] = rl.evaluate(policy, env, episodes, seed)
    return out


def learning_curve(monitor: Path) -> pd.DataFrame:
    frame = rl.monitor_episodes(monitor)
    frame["env_steps"] = frame["l"].cumsum()
    frame["block"] = np.arange(len(frame)) // CURVE_WINDOW
    curve = frame.groupby("block").agg(
        episodes=("l", "size"),
        env_steps=("env_steps", "last"),
        success_rate=("is_success", "mean"),
        mean_return=("r", "mean"),
        mean_length=("l", "mean"),
    )
    curve["episode"] = np.minimum((curve.index + 1) * CURVE_WINDOW, len(frame))
    return curve.reset_index(drop=True)[
        ["episode", "episodes", "env_steps", "success_rate", "mean_return", "mean_length"]
    ]


def agent_dir(name: str, training: str, variant: str, seed) -> Path:
    """Where an agent is saved, relative to ``--out``."""
    return Path("agents") / Path(name).name / training / variant / f"seed{seed}"


def run_agent(args, name, net, scores, variant, seed, training, held_out_m) -> tuple:
    """Train (or load) and test one agent: its results rows and its learning curve."""
    arena = training == ARENA
    units = [int(u) for u in grid_units(scores)] if variant in ("grid", "grid-no-goal") else None
    options = {**rl.TRAIN_OPTIONS}
    if arena:
        options.update(arena=ARENA, max_steps=args.arena_max_steps)
    else:
        options["goal_region"] = "left"
    spec = rl.AgentSpec(variant, "ppo", args.steps, seed, args.envs, units, options)
    spec.scores = [None if not np.isfinite(s) else float(s) for s in scores]
    directory = args.out / agent_dir(name, training, variant, seed)
    agent = trained(net, spec, directory)
    spec = agent.spec
    to_50 = rl.episodes_to_success(directory / rl.MONITOR_DIR)
    rows = []

    def add(condition, results, lesion="none", k=0, test_min=None):
        for row in result_rows(results, arena):
            rows.append(
                {"condition": condition, "lesion": lesion, "k": k, "test_min_distance_m": test_min}
                | row
            )

    if arena:
        add("shortcut", test(net, agent, rl.held_out_options(spec), args.episodes, True))
    else:
        default_m = NavigationEnv.__init__.__kwdefaults__["min_distance"]
        train_m = spec.options.get("min_distance", default_m)
        trained_on = test(net, agent, dict(spec.options), args.episodes, True)
        add("training goals", trained_on, test_min=train_m)
        held = rl.held_out_options(spec, "right", held_out_m)
        min_m = held.get("min_distance", default_m)
        add("held-out goals", test(net, agent, held, args.episodes, True), test_min=min_m)
        if variant in LESIONED:
            rng = np.random.default_rng(seed)
            for kind in rl.LESIONS:
                for k in args.lesion_k:
                    silenced = [int(u) for u in lesion_units(scores, k, kind, rng)]
                    options = {**spec.options, "lesion": silenced}
                    result = test(net, agent, options, args.episodes, False)
                    add("lesion", result, kind, k, train_m)
    key = {"network": name, "variant": variant, "seed": seed, "training": training}
    extra = {
        "train_steps": spec.steps,
        "episodes": args.episodes,
        "episodes_to_50": to_50[0],
        "env_steps_to_50": to_50[1],
    }
    table = pd.DataFrame([key | row | extra for row in rows])
    curve = learning_curve(directory / rl.MONITOR_DIR)
    for column, value in reversed(key.items()):
        curve.insert(0, column, value)
    return table, curve


def merge_parts(out: Path, parts: list[Path]) -> int:
    """Merge each part's spec, finished agents (their table rows and learning curves) and saved
    agents into ``out``; returns how many agents came in."""
    out.mkdir(parents=True, exist_ok=True)
    added = 0
    for part in parts:
        if not (part / SPEC_FILE).is_file():
            raise GridcoreError(f"{part}: not a directory this script wrote (no spec.yaml)")
        write_spec(out, yaml.safe_load((part / SPEC_FILE).read_text()))
        results, curves = read_table(part / RESULTS_FILE), read_table(part / CURVES_FILE)
        if results.empty:
            continue
        agents = finished(results)
        append_table(out / CURVES_FILE, curves)
        append_table(out / RESULTS_FILE, results)
        for name, variant, seed, training in agents:
            rel = agent_dir(name, training, variant, seed)
            if (part / rel).is_dir():
                shutil.copytree(part / rel, out / rel, dirs_exist_ok=True)
        added += len(agents)
    return added


def main(argv=None) -> int:
    args = parse(argv)
    try:
        if args.merge:
            added = merge_parts(args.out, args.merge)
            print(f"merged {added} agents into {args.out}")
            return 0
        check(args)
        torch.set_num_threads(1)
        args.out.mkdir(parents=True, exist_ok=True)
        nets = {name: load_network(network(name)) for name in args.networks}
        write_spec(args.out, spec_of(args, nets))
        results_path, curves_path = args.out / RESULTS_FILE, args.out / CURVES_FILE
        done = finished(read_table(results_path))
        trainings = [BOX] + ([] if args.no_shortcut else [ARENA])
        for name, net in nets.items():
            scores = None
            for training in trainings:
                for variant in args.variants:
                    for seed in args.seeds:
                        key = (name, variant, str(seed), training)
                        label = f"{name} {training} {variant} seed {seed}"
                        if key in done:
                            print(f"skip {label}: finished", flush=True)
                            continue
                        if scores is None:
                            scores = grid_unit_scores(net, args.score_trajectories)
                            held_out_m = held_out_distance(net, args.held_out_min_distance)
                        start = time.perf_counter()
                        table, curve = run_agent(
                            args, name, net, scores, variant, seed, training, held_out_m
                        )
                        append_table(curves_path, curve)
                        append_table(results_path, table)
                        wall = time.perf_counter() - start
                        print(f"done {label} in {wall:.0f} s", flush=True)
    except GridcoreError as err:
        print(f"rl_navigation: {err}", file=sys.stderr)
        return 2
    print(f"wrote {args.out / RESULTS_FILE} and {args.out / CURVES_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
