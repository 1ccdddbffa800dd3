"""Sweep throughput: trials per hour on Ray Tune, and what Ray costs per trial.

    python benchmarks/sweep_throughput.py                 # full `quick` trials (about 4 min each)
    python benchmarks/sweep_throughput.py --steps 300     # short trials, a few minutes in all

Each trial is what ``gridcore sweep`` runs: the ``quick`` preset (``--steps`` steps, scored every
``--score-every`` steps on ``--score-trajectories`` trajectories) and the final scoring (32 bins,
both scorers, 5 shuffles). Short trials are extrapolated to a full one (the preset's steps,
scored every ``--full-score-every`` steps) to put Ray's cost in proportion. The baseline runs the same trials one after another in this process
(:func:`gridcore.sweeps.run_trial`, i.e. gridcore's ``train`` and the scorer, no Ray). Then the
same trials run as sweeps with 1 and 2 workers. Ray's cost is split into its start-up and
shutdown (once per sweep command) and the rest per trial (actors, reporting, result files).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import describe  # noqa: E402

from gridcore import sweeps  # noqa: E402
from gridcore.net.config import get_preset  # noqa: E402
from gridcore.net.runs import load_network, read_history  # noqa: E402
from gridcore.training.recorder import grid_fractions  # noqa: E402


def spec_text(args: argparse.Namespace, seeds: int) -> str:
    return (
        f"preset: {args.preset}\nseeds: {seeds}\nsteps: {args.steps}\n"
        f"score_every: {args.score_every}\nscore_trajectories: {args.score_trajectories}\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="quick")
    parser.add_argument("--steps", type=int, default=8000, help="steps per trial")
    parser.add_argument(
        "--score-every", type=int, default=0, help="scorings while training (0: at the end only)"
    )
    parser.add_argument(
        "--full-score-every",
        type=int,
        default=1000,
        help="scorings of the full-length trial the figures are extrapolated to",
    )
    parser.add_argument("--score-trajectories", type=int, default=500)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--trials-per-worker", type=int, default=2, help="trials in each sweep, per worker"
    )
    args = parser.parse_args()
    import ray  # the sweeps extra

    print(describe())
    print(
        f"trial: preset {args.preset}, {args.steps} steps, scored every {args.score_every} "
        f"steps on {args.score_trajectories} trajectories, then the final scoring\n",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="sweep-bench-") as tmp:
        tmp = Path(tmp)
        # Baseline: the trials' work in this process, one after another, no Ray.
        (tmp / "direct.yaml").write_text(spec_text(args, 2))
        direct, training = [], []
        for trial in sweeps.load_spec(tmp / "direct.yaml").trials(tmp / "direct"):
            start = time.perf_counter()
            record = sweeps.run_trial(trial)
            direct.append(time.perf_counter() - start)
            training.append(read_history(trial.run_dir)[-1]["elapsed_s"])
            print(
                f"direct  seed {trial.seed}: {direct[-1]:6.1f} s "
                f"({record['status']}, {100 * (record['grid_fraction_037'] or 0):.1f} % grid)",
                flush=True,
            )
        per_trial = statistics.mean(direct)
        # A full-length trial: the steps scale, each scoring while training costs what one
        # costs here, and the final scoring is the same.
        train_s = statistics.mean(training)
        net = load_network(trial.run_dir)
        start = time.perf_counter()
        grid_fractions(net)
        scoring_s = time.perf_counter() - start
        full_steps = get_preset(args.preset).steps
        n_scorings = full_steps // args.full_score_every if args.full_score_every else 0
        full = train_s * full_steps / args.steps + n_scorings * scoring_s + (per_trial - train_s)
        print(
            f"one scoring while training ({args.score_trajectories} trajectories): "
            f"{scoring_s:.1f} s; a full {args.preset} trial ({full_steps} steps, {n_scorings} "
            f"scorings, final scoring): about {full:.0f} s here",
            flush=True,
        )

        rows = []
        for workers in args.workers:
            n = workers * args.trials_per_worker
            spec = tmp / f"w{workers}.yaml"
            spec.write_text(spec_text(args, n))
            start = time.perf_counter()
            ray.init(
                num_cpus=workers,
                include_dashboard=False,
                log_to_driver=False,
                logging_level=logging.ERROR,
            )
            started = time.perf_counter()
            res = sweeps.run(spec, tmp / f"w{workers}", workers=workers, verbose=0)
            swept = time.perf_counter()
            ray.shutdown()
            end = time.perf_counter()
            assert not res.unfinished, res.unfinished
            startup = started - start + end - swept
            per = (swept - started) * workers / n  # a worker's time per trial, in the sweep
            rows.append((workers, n, end - start, startup, per))
            print(
                f"ray     {workers} worker(s), {n} trials: {end - start:6.1f} s in all, "
                f"Ray start + stop {startup:.1f} s",
                flush=True,
            )

    print("\n| run | trials | wall (s) | trials / hour | time per trial and worker (s) |")
    print("| --- | --- | --- | --- | --- |")
    print(
        f"| direct | {len(direct)} | {sum(direct):.1f} | {3600 / per_trial:.0f} | {per_trial:.1f} |"
    )
    for workers, n, wall, startup, per in rows:
        print(
            f"| Ray, {workers} worker{'s' if workers > 1 else ''} | {n} | {wall:.1f} | "
            f"{3600 * n / wall:.0f} | {per:.1f} (+ {startup:.1f} s start/stop per sweep) |"
        )
    one = next((r for r in rows if r[0] == 1), None)
    if one is not None:
        extra = one[4] - per_trial
        print(
            f"\nRay's cost per trial (1 worker against direct): {extra:+.1f} s, plus {one[3]:.1f} s "
            f"to start and stop Ray once per sweep. Against a full {args.preset} trial (about "
            f"{full:.0f} s here): Ray adds {100 * extra / full:+.1f} % "
            f"per trial, {100 * (extra + one[3] / one[1]) / full:+.1f} % with its start-up "
            f"shared by {one[1]} trials."
        )
        # Full-length trials: Ray's cost per trial stays what it is; sharing the cores slows the
        # training itself by the factor measured here.
        for workers, n, _, startup, per in rows:
            slowdown = (per - extra) / per_trial
            hourly = workers * 3600 / (full * slowdown + extra + startup / n)
            print(
                f"full {args.preset} trials on {workers} worker{'s' if workers > 1 else ''}: "
                f"about {hourly:.0f} per hour (training {slowdown:.2f}x as long as alone)"
            )


if __name__ == "__main__":
    main()
