"""Speed of the navigation environments and of training one PPO agent on them, on the CPU.

    python benchmarks/navigation_env_speed.py [--steps 5000] [--envs 4] [--train-steps 20000]
    python benchmarks/navigation_env_speed.py --algorithm recurrent-ppo --train-steps 5000

First the batched find-then-return environments (gridcore.navigation.episodes): steps per second
of one environment and of ``--batched`` environments stepped together in one call of the frozen
network, beside the single goal-seeking environment's (NavigationEnv, bottleneck code) measured in
the same run, and the wall time of training one find-then-return agent (PPO) for
``--return-train-steps`` steps. Then the single environment's own figures:

Prints, for the shipped network (``grid-lstm`` by default, its grid-like units from 1000
trajectories): environment steps per second with random actions, resets included, for one
environment of each variant (per second of wall time, and per second of this process's CPU
time, which other jobs on the machine disturb less); then for ``--envs`` environments stepped together, in one process
(``DummyVecEnv``) and in one process each (``SubprocVecEnv``, one torch thread each); and the
wall time of training one agent (``--algorithm``: PPO with an MLP policy, or RecurrentPPO;
gridcore's settings) for ``--train-steps`` environment steps. One torch thread in the main
process.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _machine import describe  # noqa: E402

from gridcore.navigation import rl_agents as rl  # noqa: E402
from gridcore.navigation.env import NavigationEnv  # noqa: E402
from gridcore.navigation.episodes import FindReturnEnvs  # noqa: E402
from gridcore.navigation.return_agents import ReturnAgentSpec, train_agent  # noqa: E402
from gridcore.navigation.vectors import grid_unit_scores, grid_units  # noqa: E402
from gridcore.net.runs import load_network  # noqa: E402
from gridcore.shipped import network  # noqa: E402


def single_env_rate(env: NavigationEnv, steps: int, seed: int = 0) -> tuple[float, float, float]:
    """Environment steps per second of wall time and of this process's CPU time, with random
    actions (resets included), and the mean wall seconds per reset."""
    rng = np.random.default_rng(seed)
    env.reset(seed=seed)
    resets, reset_time = 0, 0.0
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(steps):
        _, _, terminated, truncated, _ = env.step(rng.uniform(-1, 1, 2).astype(np.float32))
        if terminated or truncated:
            t0 = time.perf_counter()
            env.reset()
            reset_time += time.perf_counter() - t0
            resets += 1
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return steps / wall, steps / cpu, reset_time / max(resets, 1)


def vector_rate(net, spec: rl.AgentSpec, steps: int, subprocess: bool) -> float:
    """Environment steps per second (all environments together) of ``spec.n_envs``
    environments stepped with random actions; start-up excluded."""
    env = rl.vector_env(net, spec, seed=0, subprocess=subprocess)
    try:
        env.reset()
        rng = np.random.default_rng(0)
        rounds = max(1, steps // spec.n_envs)
        start = time.perf_counter()
        for _ in range(rounds):
            env.step(rng.uniform(-1, 1, (spec.n_envs, 2)).astype(np.float32))
        return rounds * spec.n_envs / (time.perf_counter() - start)
    finally:
        env.close()


def batched_rate(net, n_envs: int, steps: int, seed: int = 0) -> float:
    """Environment steps per second (all environments together) of ``n_envs`` find-then-return
    environments in the open box, random actions, episode restarts included."""
    env = FindReturnEnvs(net, "bottleneck", n_envs, seed=seed)
    rng = np.random.default_rng(seed)
    rounds = max(1, steps // n_envs)
    start = time.perf_counter()
    for _ in range(rounds):
        env.step(rng.integers(0, 5, n_envs))
    return rounds * n_envs / (time.perf_counter() - start)


def return_section(net, units, args) -> None:
    grid, _, _ = single_env_rate(NavigationEnv(net, "grid", units), args.steps)
    reference, _, _ = single_env_rate(NavigationEnv(net, "bottleneck", units), args.steps)
    one = batched_rate(net, 1, args.steps)
    many = batched_rate(net, args.batched, 20 * args.steps)
    print("find-then-return environments, random actions, one core:")
    print(f"  NavigationEnv, one environment (grid units): {grid:8.0f} steps/s")
    print(f"  NavigationEnv, one environment (bottleneck): {reference:8.0f} steps/s")
    print(f"  FindReturnEnvs, 1 environment:               {one:8.0f} steps/s")
    print(
        f"  FindReturnEnvs, {args.batched} environments together:    {many:8.0f} steps/s "
        f"({many / grid:.1f}x the single NavigationEnv's grid variant, "
        f"{many / reference:.1f}x its bottleneck variant)"
    )
    spec = ReturnAgentSpec("bottleneck", "goal-doors", args.return_train_steps, n_envs=32)
    start, cpu = time.perf_counter(), time.process_time()
    train_agent(net, spec, progress=False)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"  PPO, bottleneck agent, goal-doors, 32 environments: {spec.steps} steps in "
        f"{wall:.1f} s ({spec.steps / wall:.0f} steps/s; {cpu:.1f} s of CPU time)"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--network", default="grid-lstm", help="a shipped network or a run directory")
    p.add_argument("--variants", nargs="+", default=["grid", "place", "untrained", "position"])
    p.add_argument("--steps", type=int, default=5000, help="environment steps per measurement")
    p.add_argument("--envs", type=int, default=4, help="environments stepped together")
    p.add_argument("--train-steps", type=int, default=20000)
    p.add_argument("--train-variant", default="grid")
    p.add_argument("--algorithm", choices=rl.ALGORITHMS, default="ppo")
    p.add_argument("--batched", type=int, default=64, help="find-then-return envs together")
    p.add_argument("--return-train-steps", type=int, default=100_000)
    p.add_argument("--only-batched", action="store_true", help="stop after the first section")
    args = p.parse_args()
    torch.set_num_threads(1)
    print(describe())
    net = load_network(network(args.network))
    units = [int(u) for u in grid_units(grid_unit_scores(net, 1000))]
    print(f"network {args.network}: {len(units)} grid-like units (1000 trajectories)")
    return_section(net, units, args)
    if args.only_batched:
        return
    print(f"one environment, random actions, {args.steps} steps, resets included:")
    for variant in args.variants:
        env = NavigationEnv(net, variant, units)
        rate, per_cpu, reset = single_env_rate(env, args.steps)
        size = env.observation_space.shape[0]
        print(
            f"  {variant:12s} {size:4d} inputs  {rate:7.0f} steps/s ({per_cpu:.0f} per CPU "
            f"second)  mean reset {1e3 * reset:.1f} ms"
        )
    spec = rl.AgentSpec(args.train_variant, n_envs=args.envs, units=units)
    for subprocess in (False, True):
        kind = "SubprocVecEnv" if subprocess else "DummyVecEnv"
        rate = vector_rate(net, spec, args.steps, subprocess)
        print(f"{args.envs} x {args.train_variant} environments, {kind}: {rate:.0f} steps/s")
    spec = rl.AgentSpec(
        args.train_variant, args.algorithm, args.train_steps, n_envs=args.envs, units=units
    )
    start, cpu = time.perf_counter(), time.process_time()
    rl.train_agent(net, spec)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"{args.algorithm}, {args.train_variant}, {args.envs} environments (DummyVecEnv): "
        f"{args.train_steps} steps in {wall:.1f} s ({args.train_steps / wall:.0f} steps/s; "
        f"{cpu:.1f} s of CPU time)"
    )


if __name__ == "__main__":
    main()
