"""Vector navigation as the paper ran it: find-then-return agents on an anchored grid network.

    python experiments/vector_navigation.py                       # the whole experiment (hours)
    python experiments/vector_navigation.py --quick --out /tmp/vn  # a tiny version, for tests
    python experiments/vector_navigation.py --variants place --seeds 0 1 --out /tmp/part

First the pre-flight (:mod:`gridcore.navigation.preflight`) on the network: the decoded
position's error along 1000-step paths of the agent's motion, with and without anchors
(``drift.csv``), and the scripted agent's return trips in the open box and the goal-doors
arena (``preflight.csv``, column ``success``). Agents are trained only if the scripted agent
returns in at least 90 % of trips in the experiment's arena (``--force`` overrides).

Then, for every variant and seed, an agent (:mod:`gridcore.navigation.return_agents`) is
trained for ``--steps`` environment steps in the arena, and tested on held-out episodes (new
goals, door layouts never drawn in training): as trained (``held-out``, the primary measure),
with the goal code zeroed (``no goal code``), in the shortcut test (``shortcut``), with the
most grid-like or random units of g silenced (``lesion grid k%`` / ``lesion random k%``, grid
agents), and the goal's bearing and distance are read out from its policy's hidden layer. One
row per agent and test in ``navigation.csv``; the learning curves in ``learning_curves.csv``;
the policies' weights (safetensors) under ``agents/``; what ran in ``spec.yaml``. It resumes:
agents with rows are skipped.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
import yaml

from gridcore import shipped
from gridcore.errors import GridcoreError
from gridcore.files import write_text_atomic
from gridcore.navigation import preflight as pf
from gridcore.navigation import return_agents as ra
from gridcore.navigation import return_results as rr
from gridcore.navigation.episodes import VARIANTS, EpisodeSettings
from gridcore.navigation.vectors import grid_unit_scores
from gridcore.net.runs import load_network
from gridcore.paper import NAV_ANCHOR_FRACTION
from gridcore.world.arenas import goal_doors

ROOT = Path(__file__).resolve().parent.parent
SEEDS = {"bottleneck": 5, "place": 5, "baseline": 3, "position": 3}
LESIONS = (0.1, 0.2, 0.4)
ANCHOR_PROB = NAV_ANCHOR_FRACTION  # vision's predictions on about one step in twenty


def parse(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--network", default="grid-lstm-anchored", help="shipped name or run dir")
    p.add_argument("--out", type=Path, default=ROOT / "experiments" / "vector-navigation")
    p.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    p.add_argument("--seeds", nargs="+", type=int, help="these seeds for every variant")
    p.add_argument("--steps", type=int, default=2_000_000, help="environment steps per agent")
    p.add_argument("--arena", choices=ra.ARENAS, default="goal-doors")
    p.add_argument("--episode-steps", type=int, default=500)
    p.add_argument("--test-envs", type=int, default=100, help="held-out episodes per test")
    p.add_argument("--preflight-envs", type=int, default=64, help="scripted agents at once")
    p.add_argument("--force", action="store_true", help="train even if the pre-flight fails")
    p.add_argument("--quick", action="store_true", help="tiny sizes, for tests")
    args = p.parse_args(argv)
    if args.quick:
        args.steps, args.episode_steps, args.test_envs = 2048, 64, 8
    return args


def network_hash(run_dir: Path) -> str:
    return hashlib.sha256((run_dir / "model.safetensors").read_bytes()).hexdigest()


def write_spec(args, run_dir: Path, net) -> dict:
    spec = {
        "network": args.network,
        "network_sha256": network_hash(run_dir),
        "agent_speed_m_s": round(net.motion.mean_speed, 4),  # the network's rat's mean speed
        "arena": args.arena,
        "steps": args.steps,
        "episode": {"steps": args.episode_steps, "anchor_prob": ANCHOR_PROB},
        "test_episodes": args.test_envs,
        "lesion_fractions": list(LESIONS),
    }
    path = args.out / rr.SPEC_FILE
    if path.is_file():
        old = yaml.safe_load(path.read_text())
        if old != spec:
            raise GridcoreError(f"{path} holds other settings; choose another --out")
    else:
        write_text_atomic(path, yaml.safe_dump(spec, sort_keys=False))
    return spec


def preflight(args, net) -> pd.DataFrame:
    """The pre-flight tables (computed once, then read back)."""
    pre, drift_path = args.out / rr.PREFLIGHT_FILE, args.out / rr.DRIFT_FILE
    if not drift_path.is_file():
        rows = []
        for prob in (0.0, ANCHOR_PROB):
            errors = pf.drift(
                net,
                steps=100 if args.quick else 1000,
                n_paths=args.preflight_envs,
                anchor_prob=prob,
            )
            for t in range(errors.shape[1]):
                rows.append(
                    {
                        "anchor_prob": prob,
                        "step": t + 1,
                        "median_cm": float(np.median(errors[:, t])),
                        "p95_cm": float(np.quantile(errors[:, t], 0.95)),
                    }
                )
        write_text_atomic(drift_path, pd.DataFrame(rows).to_csv(index=False))
    if not pre.is_file():
        rows = []
        for arena_name in ra.ARENAS:
            arena = goal_doors() if arena_name == "goal-doors" else None
            # The code, with and without an anchor at each move; then the truth, which shows
            # the scripted agent's own limit.
            for on_move, oracle in ((False, False), (True, False), (False, True)):
                s = EpisodeSettings(
                    steps=args.episode_steps, anchor_prob=ANCHOR_PROB, anchor_on_move=on_move
                )
                trips = pf.scripted_returns(
                    net,
                    s,
                    arena,
                    args.preflight_envs,
                    episodes=1 if args.quick else 3,
                    oracle=oracle,
                )
                rows.append(
                    {
                        "arena": arena_name,
                        "reads": "truth" if oracle else "code",
                        "anchor_on_move": on_move,
                        "trips": len(trips),
                        "success": trips.succeeded.mean() if len(trips) else np.nan,
                        "median_steps": trips.steps.median(),
                        "median_recovered_after": trips.recovered_after.median(),
                    }
                )
        write_text_atomic(pre, pd.DataFrame(rows).to_csv(index=False))
    return pd.read_csv(pre)


def test_rows(args, net, spec: ra.ReturnAgentSpec, model, scores) -> list[dict]:
    envs = {"n_envs": args.test_envs}
    tests = {"held-out": ra.make_envs(net, spec, "held-out", **envs)}
    if spec.variant in ("bottleneck", "place"):
        tests["no goal code"] = ra.make_envs(net, spec, "held-out", zero_goal_code=True, **envs)
    if spec.arena == "goal-doors":
        tests["shortcut"] = ra.make_envs(net, spec, "shortcut", **envs)
    if spec.variant == "bottleneck":
        for frac in LESIONS:
            for kind, units in ra.lesion_sets(scores, frac, seed=spec.seed).items():
                name = f"lesion {kind} {round(100 * frac)}%"
                tests[name] = ra.make_envs(net, spec, "held-out", lesion=units, **envs)
    rows = [{"condition": name, **ra.evaluate(model, env)} for name, env in tests.items()]
    if spec.variant in ("bottleneck", "place") and spec.algorithm == "ppo":
        env = ra.make_envs(net, spec, "held-out", **envs)
        decoded = ra.goal_decoding(*ra.policy_states(model, env, args.episode_steps))
        rows[0].update(decoded)
    return rows


def run_agent(args, net, variant: str, seed: int, scores) -> None:
    spec = ra.ReturnAgentSpec(
        variant,
        args.arena,
        args.steps,
        seed,
        n_envs=8 if args.quick else 32,
        episode={"steps": args.episode_steps, "anchor_prob": ANCHOR_PROB},
    )
    start = time.perf_counter()
    model, curve = ra.train_agent(net, spec)
    (args.out / "agents").mkdir(exist_ok=True)
    ra.save_policy(model, args.out / "agents" / f"{spec.name}.safetensors")
    flat, change = ra.plateau(curve)
    ident = {"network": args.network, "variant": variant, "seed": seed, "env_steps": spec.steps}
    # The curve keeps its own env_steps: the step at the end of each rollout.
    curve = curve.assign(**{k: v for k, v in ident.items() if k != "env_steps"})
    rows = pd.DataFrame(
        [
            {**ident, **row, "plateau": flat, "plateau_change": change}
            for row in test_rows(args, net, spec, model, scores)
        ]
    )
    rows["wall_s"] = time.perf_counter() - start
    append(args.out / rr.CURVES_FILE, curve)
    append(args.out / rr.RESULTS_FILE, rows)  # last: an agent with rows is finished


def append(path: Path, rows: pd.DataFrame) -> None:
    old = pd.read_csv(path) if path.is_file() else None
    table = rows if old is None else pd.concat([old, rows], ignore_index=True)
    write_text_atomic(path, table.to_csv(index=False))


def main(argv=None) -> int:
    args = parse(argv)
    torch.set_num_threads(1)
    try:
        run_dir = shipped.network(args.network)
        net = load_network(run_dir)
        args.out.mkdir(parents=True, exist_ok=True)
        write_spec(args, run_dir, net)
        checks = preflight(args, net)
        mine = checks[
            (checks.arena == args.arena) & (checks.reads == "code") & ~checks.anchor_on_move
        ]
        passed = float(mine.success.iloc[0]) >= pf.PREFLIGHT_TARGET
        print(f"pre-flight: scripted returns in {args.arena}: {float(mine.success.iloc[0]):.1%}")
        if not passed and not args.force:
            raise GridcoreError("the code caps the test (pre-flight below 90 %); use --force")
        scores = grid_unit_scores(net, 500 if args.quick else 3000)
        done = (
            pd.read_csv(args.out / rr.RESULTS_FILE)
            if (args.out / rr.RESULTS_FILE).is_file()
            else None
        )
        # Seed by seed across the variants, so that an interrupted run leaves every arm alike.
        wanted = {v: list(args.seeds or range(SEEDS[v])) for v in args.variants}
        for seed in sorted({s for seeds in wanted.values() for s in seeds}):
            for variant in args.variants:
                finished = (
                    done is not None and ((done.variant == variant) & (done.seed == seed)).any()
                )
                if seed in wanted[variant] and not finished:
                    run_agent(args, net, variant, seed, scores)
    except GridcoreError as err:
        print(f"vector_navigation: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
