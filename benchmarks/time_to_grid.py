"""Time to grid cells: train from scratch on the CPU until 25 % of bottleneck units are grid-like.

    python benchmarks/time_to_grid.py [--preset grid] [--seeds 0 1 2] [--target 0.25]

For each seed, trains the preset from scratch (one run after another, so runs do not compete
for cores), scores the bottleneck every ``--score-every`` steps with the batched scorer
(DeepMind-identical 60-degree score, 32-bin ratemaps, dropout off, fresh trajectories), and
stops when the fraction of units scoring > 0.37 first reaches ``--target``. The wall time
includes those evaluations. The run that reached the target is then re-scored on
``--confirm-trajectories`` fresh trajectories, to show the figure holds on better ratemaps.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import describe  # noqa: E402

from gridcore.analysis.ratemaps import bottleneck_ratemaps  # noqa: E402
from gridcore.net.config import get_preset  # noqa: E402
from gridcore.net.runs import Network  # noqa: E402
from gridcore.scoring.scores import score_ratemaps  # noqa: E402
from gridcore.training.train import train  # noqa: E402


def run_seed(args: argparse.Namespace, seed: int, out: Path) -> dict:
    cfg = get_preset(
        args.preset,
        seed=seed,
        score_every=args.score_every,
        log_every=args.score_every,
        score_trajectories=args.score_trajectories,
        checkpoint_every=10**9,
    )
    curve: list[tuple[int, float, float]] = []

    def on_log(row: dict) -> bool:
        curve.append((int(row["step"]), row["elapsed_s"], row["grid_fraction_037"]))
        print(
            f"  seed {seed} step {int(row['step']):6d} {row['elapsed_s']:6.0f} s "
            f"grid>0.37 {row['grid_fraction_037']:.1%} err {row['position_error_cm']:.1f} cm",
            flush=True,
        )
        return row["grid_fraction_037"] >= args.target

    start = time.perf_counter()
    result = train(cfg, out / f"seed{seed}", progress=False, on_log=on_log)
    wall = time.perf_counter() - start
    hit = next(((s, t) for s, t, f in curve if f >= args.target), None)
    confirm = float("nan")
    if hit is not None:
        net = Network(result.model, result.ensembles, cfg, result.step, result.run_dir)
        maps = bottleneck_ratemaps(net, n_trajectories=args.confirm_trajectories)
        confirm = score_ratemaps(maps, mode="deepmind").fraction(0.37)
    return {
        "seed": seed,
        "reached": hit is not None,
        "steps": hit[0] if hit else None,
        "seconds": wall if hit else None,
        "best": max(f for _, _, f in curve),
        "confirm": confirm,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="quick")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--target", type=float, default=0.25)
    parser.add_argument("--score-every", type=int, default=1000)
    parser.add_argument("--score-trajectories", type=int, default=1000)
    parser.add_argument("--confirm-trajectories", type=int, default=5000)
    parser.add_argument("--out", type=Path, help="keep the runs here (default: a temp dir)")
    args = parser.parse_args()
    torch.set_num_threads(get_preset(args.preset).threads)
    print(describe())
    print(f"preset {args.preset}: target {args.target:.0%} of units with 60-degree score > 0.37")
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        results = [run_seed(args, seed, out) for seed in args.seeds]
    print("\nseed  reached  steps   wall (s)  best   re-scored on more trajectories")
    for r in results:
        print(
            f"{r['seed']:4d}  {'yes' if r['reached'] else 'no':7s}  {r['steps'] or '-':>6}  "
            f"{r['seconds'] or float('nan'):8.0f}  {r['best']:.1%}  {r['confirm']:.1%}"
        )
    hits = [r["seconds"] for r in results if r["reached"]]
    print(f"\n{len(hits)}/{len(results)} seeds reached {args.target:.0%}", end="")
    if hits:
        print(
            f"; median wall time {statistics.median(hits):.0f} s "
            f"({statistics.median(hits) / 60:.1f} min)"
        )
    else:
        print()


if __name__ == "__main__":
    main()
