"""Command line: ``python -m gridcore {train,score,navigate,sweep,compare,headline,presets}``.

Every user error (unknown preset, bad size, missing or corrupt checkpoint, unwritable directory)
ends with one line on stderr and exit status 2; never a traceback. A training run that diverges
ends with one line and exit status 3, keeping its last good checkpoint.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, fields
from pathlib import Path

import pandas as pd

from gridcore import headline, shipped, sweeps
from gridcore.analysis.comparison import compare_runs
from gridcore.analysis.results import score_path
from gridcore.errors import DivergedError, GridcoreError
from gridcore.navigation.env import GOAL_REGIONS, VARIANTS
from gridcore.navigation.rl_agents import LESIONS, TRAIN_OPTIONS, AgentSpec, navigate_rl
from gridcore.navigation.shortcuts import AGENTS as SHORTCUT_AGENTS
from gridcore.navigation.shortcuts import navigate_run
from gridcore.net.config import PRESETS, RESUMABLE_FIELDS, TrainConfig, get_preset
from gridcore.training.train import EXIT_DIVERGED, train


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not usage + message
        raise GridcoreError(message)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _network_or_path(text: str) -> Path:
    """A path as given, or the run directory of the shipped network of that name when no such
    path exists (``grid-lstm``)."""
    given = Path(text)
    if not given.exists() and text in shipped.networks():
        return shipped.network(text)
    return given


def _parse_override(item: str) -> tuple[str, object]:
    """``key=value`` into a TrainConfig field name and a value of that field's type."""
    key, sep, raw = item.partition("=")
    types = {f.name: f.type for f in fields(TrainConfig)}
    if not sep or key not in types:
        known = ", ".join(sorted(types))
        raise GridcoreError(f"--set expects KEY=VALUE with KEY one of: {known}; got {item!r}")
    kind = types[key]
    try:
        if kind == "bool":
            if raw.lower() not in ("true", "false", "1", "0"):
                raise ValueError
            return key, raw.lower() in ("true", "1")
        if kind == "int":
            return key, int(float(raw)) if float(raw).is_integer() else int(raw)
        if kind == "float":
            return key, float(raw)
    except ValueError:
        raise GridcoreError(f"--set {key}: expected a {kind}, got {raw!r}") from None
    return key, raw


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="gridcore", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("train", help="train the network, with checkpoints and TensorBoard logs")
    p.add_argument(
        "--preset",
        help=f"one of: {', '.join(PRESETS)} (default: fast; on --resume, the saved run's)",
    )
    p.add_argument("--steps", type=_positive_int, help="total optimisation steps")
    p.add_argument("--seed", type=int, help="seed for weights, data and dropout")
    p.add_argument("--lr", type=float, help="learning rate")
    p.add_argument("--batch-size", type=_positive_int)
    p.add_argument("--out", required=True, type=Path, help="run directory")
    p.add_argument("--resume", action="store_true", help="continue from --out's last checkpoint")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override any config field, e.g. --set core=gru (repeatable)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("score", help="grid scores of ratemaps or of a trained run")
    p.add_argument(
        "path",
        type=_network_or_path,
        help="a .npy array (units, n, n), a run directory or a model .safetensors inside one, "
        "or a shipped network's name (grid-lstm, ...)",
    )
    p.add_argument(
        "--nbins", type=_positive_int, help="bins per axis (default: 32; 16 for a 3-D run)"
    )
    p.add_argument(
        "--trajectories",
        type=_positive_int,
        default=5000,
        help="fresh trajectories for the ratemaps of a run",
    )
    p.add_argument(
        "--shuffles", type=int, default=20, help="shuffles per unit for the null (0: none)"
    )
    p.add_argument("--mode", choices=("gridcore", "deepmind"), default="gridcore")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--save-ratemaps", type=Path, metavar="FILE.npz")

    p = sub.add_parser(
        "navigate",
        help="vector-based navigation: grid-code, place-code and random agents of a trained run, "
        "and a shortcut test",
        description="Score the run's bottleneck units, fit a linear goal-vector read-out of its "
        "grid-like units, and let agents driven by it, by the network's place read-out and by "
        "a random walk find goals seen while exploring; print their success rates (within 10 "
        "cm of the goal) and path-length ratios. Then the shortcut test: the same agents and "
        "one that follows the route learnt with a door closed, in a box split by a wall whose "
        "door opens at test; print how often each takes the new door. With --agent rl: train "
        "a PPO agent that observes the network's code (--variant), or load one gridcore saved, "
        "and test it on held-out goals, with lesions or with the door open.",
    )
    p.add_argument(
        "run_dir",
        type=_network_or_path,
        help="a trained run directory or a shipped network's name (grid-lstm, ...)",
    )
    p.add_argument("--episodes", type=_positive_int, default=200, help="episodes per agent")
    p.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of the episodes and read-out data (with --agent rl, of training too)",
    )
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument(
        "--agent",
        choices=("readout", "rl"),
        default="readout",
        help="readout: the agents above (default); rl: train (or --load) a PPO agent on the "
        "navigation environment and test it against random actions and the rat's random walk "
        "(needs the rl extra: pip install 'gridcore[rl]')",
    )
    rl = p.add_argument_group("rl agent (with --agent rl)")
    rl.add_argument("--variant", choices=VARIANTS, help="what the policy observes (default grid)")
    rl.add_argument("--steps", type=_positive_int, help="environment steps of training (100000)")
    rl.add_argument("--out", type=Path, help="directory to save the trained agent in")
    rl.add_argument(
        "--load",
        type=Path,
        help="an agent directory gridcore wrote, to test (gridcore loads only agents it saved, "
        "with their manifest: an SB3 zip holds pickled code)",
    )
    rl.add_argument("--recurrent", action="store_true", help="an LSTM policy (RecurrentPPO)")
    rl.add_argument("--envs", type=_positive_int, help="environments stepped together (4)")
    rl.add_argument(
        "--subprocess", action="store_true", help="step each environment in its own process"
    )
    rl.add_argument("--train-goals", choices=GOAL_REGIONS, help="where training goals lie (all)")
    rl.add_argument("--test-goals", choices=GOAL_REGIONS, help="where test goals lie (as trained)")
    rl.add_argument("--max-distance", type=float, help="training goals at most this far (m)")
    rl.add_argument("--test-min-distance", type=float, help="test goals at least this far (m)")
    rl.add_argument(
        "--shortcut",
        action="store_true",
        help="the two-room arena: train with its door closed, test with it open",
    )
    rl.add_argument(
        "--shaping",
        type=float,
        help="reward per metre of progress towards the goal while training (default 5; 0: the "
        "paper's sparse reward, under which a grid agent learnt nothing in 10^5 steps)",
    )
    rl.add_argument("--lesion", choices=LESIONS, help="also test with units silenced")
    rl.add_argument("--lesion-k", type=_positive_int, help="how many units --lesion silences")

    p = sub.add_parser(
        "sweep",
        help="train many networks (grid x cases x seeds) on Ray Tune, into one results table",
        description="Run every (grid point x case x seed) of a YAML sweep spec as a Ray Tune "
        "trial, each an ordinary run directory under OUT/trials/, with one row per trial in "
        "OUT/results.csv. Rerunning the same command skips finished trials and resumes "
        "unfinished ones. Needs the sweeps extra: pip install 'gridcore[sweeps]'.",
    )
    p.add_argument("spec", type=Path, help="the sweep spec, a YAML file")
    p.add_argument("--out", required=True, type=Path, help="the sweep directory")
    p.add_argument(
        "--workers",
        type=_positive_int,
        help="concurrent trials, one CPU each (default: every core; with --address, no limit)",
    )
    p.add_argument(
        "--address",
        help="join this Ray cluster (e.g. 10.0.0.1:6379 or auto) instead of a local Ray",
    )
    p.add_argument(
        "--gpus-per-trial",
        type=float,
        default=0.0,
        metavar="F",
        help="GPUs reserved for each Ray trial, which then trains with device=cuda; fractions "
        "share one GPU (0.25: four trials)",
    )
    p.add_argument(
        "--models-per-worker",
        type=_positive_int,
        default=1,
        metavar="M",
        help="train up to M trials that differ only in their seed as one stacked network "
        "(one Ray trial); results and trial directories are as with 1",
    )
    p.add_argument(
        "--quiet", action="store_true", help="no Ray progress table, only one line per trial"
    )

    p = sub.add_parser(
        "compare",
        help="trained runs beside the paper, point by point",
        description="Score each run (DeepMind's scorer for the grid-like share, gridcore's for "
        "the scales, 32 bins), cluster its grid scales into modules, and measure its "
        "path-integration error after 15 s, trained and untrained, on its own rat and along "
        "the recorded rat of Sargolini et al. (with ratinabox); print them beside the paper's "
        "figures, with a column of medians over seeds for one condition of a sweep if given.",
    )
    p.add_argument(
        "runs",
        type=_network_or_path,
        nargs="+",
        help="trained run directories or shipped networks' names (grid-lstm, ...)",
    )
    p.add_argument("--sweep", type=Path, help="a sweep directory (with --condition)")
    p.add_argument("--condition", help="the sweep condition whose seeds to summarise")
    p.add_argument(
        "--trajectories", type=_positive_int, default=5000, help="fresh trajectories per ratemap"
    )
    p.add_argument("--paths", type=_positive_int, default=200, help="15 s paths per network")
    p.add_argument("--seed", type=int, default=0, help="seed of the trajectories and paths")
    p.add_argument("--json", action="store_true", help="print the table as JSON")

    p = sub.add_parser(
        "headline", help="the ten-seed headline and the paper's claims, from the shipped tables"
    )
    p.add_argument("--readme", type=Path, help="rewrite this README's headline block instead")
    p.add_argument(
        "--check", action="store_true", help="with --readme: exit 1 if the block is stale"
    )

    p = sub.add_parser("presets", help="list the training presets and their settings")
    p.add_argument("name", nargs="?", help="show one preset in full")
    return parser


def _requested_config(args: argparse.Namespace) -> TrainConfig:
    """The config the flags ask for: a preset (or, on --resume, the saved config) with the
    --set overrides and the named flags applied."""
    overrides = dict(_parse_override(item) for item in args.set)
    for name in ("steps", "seed", "lr", "batch_size"):
        if getattr(args, name) is not None:
            overrides[name] = getattr(args, name)
    if args.resume:
        if not (args.out / "config.json").exists():
            raise GridcoreError(f"{args.out}: nothing to resume (no config.json)")
        saved = TrainConfig.load(args.out / "config.json")
        base = get_preset(args.preset) if args.preset else saved
        if args.preset:  # a preset names every field: keep the saved run's length, logging
            keep = RESUMABLE_FIELDS  # and device
            base = TrainConfig.from_dict({**asdict(base), **{k: getattr(saved, k) for k in keep}})
    else:
        base = get_preset(args.preset or "fast")
    return TrainConfig.from_dict({**asdict(base), **overrides})


def cmd_train(args: argparse.Namespace) -> int:
    cfg = _requested_config(args)
    try:
        result = train(cfg, args.out, resume=args.resume, progress=not args.quiet)
    except DivergedError as err:
        print(f"gridcore: {err}", file=sys.stderr)
        return EXIT_DIVERGED
    last = result.history[-1] if result.history else {}
    print(
        f"trained to step {result.step}: loss {last.get('loss', float('nan')):.3f}, "
        f"position error {last.get('position_error_cm', float('nan')):.1f} cm; "
        f"weights in {args.out / 'model.safetensors'}"
    )
    return 0


def cmd_presets(args: argparse.Namespace) -> int:
    if args.name:
        print(get_preset(args.name).to_json())
        return 0
    for name, cfg in PRESETS.items():
        print(
            f"{name:10s} motion={cfg.motion} example={cfg.trajectory_seconds:g} s in "
            f"{cfg.seq_len} steps lr={cfg.lr:g} batch={cfg.batch_size} "
            f"steps={cfg.steps} optimizer={cfg.optimizer}"
        )
    return 0


def _must_exist(path: Path) -> None:
    if not path.exists():
        names = ", ".join(shipped.networks()) or "none installed"
        raise GridcoreError(
            f"{path}: no such file or run directory, nor a shipped network (shipped: {names})"
        )


def cmd_score(args: argparse.Namespace) -> int:
    _must_exist(args.path)
    summary = score_path(
        args.path,
        nbins=args.nbins,
        n_trajectories=args.trajectories,
        n_shuffles=args.shuffles,
        mode=args.mode,
        save_ratemaps=args.save_ratemaps,
    )
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        for key, value in summary.items():
            print(f"{key:28s} {value}")
    return 0


RL_TRAINING_FLAGS = (
    "variant",
    "steps",
    "envs",
    "train_goals",
    "max_distance",
    "shaping",
)
RL_FLAGS = (
    *RL_TRAINING_FLAGS,
    *("out", "load", "test_goals", "test_min_distance", "lesion", "lesion_k"),
)


def _rl_spec(args: argparse.Namespace) -> AgentSpec:
    """The agent the rl flags ask for (its training options JSON values)."""
    options: dict = {**TRAIN_OPTIONS, "goal_region": args.train_goals or "all"}
    if args.max_distance is not None:
        options["max_distance"] = args.max_distance
    if args.shaping is not None:
        options["shaping"] = args.shaping
    if args.shortcut:
        options["arena"] = "two-rooms"
    return AgentSpec(
        variant=args.variant or "grid",
        algorithm="recurrent-ppo" if args.recurrent else "ppo",
        steps=args.steps or 100_000,
        seed=args.seed,
        n_envs=args.envs or 4,
        options=options,
    )


def _check_rl_flags(args: argparse.Namespace) -> None:
    given = [f for f in RL_FLAGS if getattr(args, f) is not None]
    given += [f for f in ("recurrent", "subprocess", "shortcut") if getattr(args, f)]
    if args.agent != "rl" and given:
        raise GridcoreError(f"--{given[0].replace('_', '-')} is for --agent rl")
    fixed = [f for f in RL_TRAINING_FLAGS if getattr(args, f) is not None]
    fixed += [f for f in ("recurrent", "shortcut") if getattr(args, f)]
    if args.load is not None and (fixed or args.out is not None):
        name = (fixed or ["out"])[0].replace("_", "-")
        raise GridcoreError(f"--{name}: a loaded agent keeps what it was trained with")
    if (args.lesion is None) != (args.lesion_k is None):
        raise GridcoreError("--lesion and --lesion-k go together")
    if args.shortcut and (args.train_goals or args.test_goals):
        raise GridcoreError("--shortcut: the arena has its own start and goal zones")


REGION_WORDS = {
    "all": "the whole box",
    "left": "the box's left half (x < 0)",
    "right": "the box's right half (x >= 0)",
}


def _print_rl(summary: dict) -> None:
    test = summary["test_options"]
    print(
        f"{summary['run']} (step {summary['step']}): {summary['algorithm']} agent, variant "
        f"{summary['variant']} ({summary['n_inputs']} inputs), {summary['train_steps']} "
        f"environment steps, seed {summary['seed']}; agent in {summary['agent_dir']}"
    )
    where = REGION_WORDS[test.get("goal_region", "all")]
    if test.get("arena"):
        where = "the arena's goal zone, its door open"
    far = test.get("min_distance")
    print(
        f"test: {summary['episodes']} episodes, goals in {where}"
        f"{f', at least {100 * far:.0f} cm away' if far is not None else ''}; shortest path "
        f"{100 * summary['mean_shortest_path_m']:.0f} cm on average"
    )
    arena = bool(test.get("arena"))
    extra = f" {'door first':>11s} {'gap first':>10s}" if arena else ""
    print(f"{'agent':36s} {'success':>8s} {'path ratio':>11s} {'steps':>6s}{extra}")
    for name, row in summary["agents"].items():
        line = f"{name:36s} {100 * row['success_rate']:7.1f}% {row['path_ratio']:11.2f}"
        line += f" {row['steps']:6.1f}"
        if arena:
            line += f" {100 * row['door_first_rate']:10.1f}% {100 * row['gap_first_rate']:9.1f}%"
        print(line)
    if summary["episodes_to_50"] is None:
        print("training: the success rate over 100 episodes never reached 50 %")
    else:
        print(
            f"training: the success rate over 100 episodes first reached 50 % after "
            f"{summary['episodes_to_50']} episodes ({summary['env_steps_to_50']} steps)"
        )


def cmd_navigate(args: argparse.Namespace) -> int:
    _check_rl_flags(args)
    if args.agent == "rl":
        summary = navigate_rl(
            args.run_dir,
            _rl_spec(args),
            out=args.out,
            load=args.load,
            episodes=args.episodes,
            test_goals=args.test_goals,
            test_min_distance=args.test_min_distance,
            lesion=args.lesion,
            lesion_k=args.lesion_k or 0,
            subprocess=args.subprocess,
            eval_seed=args.seed,
        )
        if args.json:
            print(json.dumps(summary, indent=2))
        else:
            _print_rl(summary)
        return 0
    summary = navigate_run(args.run_dir, episodes=args.episodes, seed=args.seed)
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    print(
        f"{summary['run']} (step {summary['step']}): {summary['episodes']} episodes, "
        f"goals {100 * summary['mean_goal_distance_m']:.0f} cm away on average, "
        f"{summary['n_grid_units']} grid-like units, at most {summary['max_steps']} steps"
    )
    print(f"{'agent':8s} {'success':>8s} {'path ratio':>11s}")
    for agent in ("grid", "place", "random", "oracle"):
        rate, ratio = summary[f"{agent}_success_rate"], summary[f"{agent}_path_ratio"]
        print(f"{agent:8s} {100 * rate:7.1f}% {ratio:11.2f}")
    print(
        f"shortcut test: {summary['shortcut_episodes']} episodes across a wall whose door opens "
        f"at test; shortest path {100 * summary['shortcut_mean_open_path_m']:.0f} cm through "
        f"the door, {100 * summary['shortcut_mean_closed_path_m']:.0f} cm round by the gap"
    )
    print(
        f"{'agent':8s} {'success':>8s} {'path ratio':>11s} {'door first':>11s} {'gap first':>10s}"
    )
    for agent in SHORTCUT_AGENTS:
        rate, ratio, door, gap = (
            summary[f"shortcut_{agent}_{k}"]
            for k in ("success_rate", "path_ratio", "door_first_rate", "gap_first_rate")
        )
        print(f"{agent:8s} {100 * rate:7.1f}% {ratio:11.2f} {100 * door:10.1f}% {100 * gap:9.1f}%")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    if (args.sweep is None) == (args.condition is None):  # else compare_runs says what is missing
        for run in args.runs:
            _must_exist(run)
    table = compare_runs(
        args.runs,
        sweep=args.sweep,
        condition=args.condition,
        n_trajectories=args.trajectories,
        n_paths=args.paths,
        seed=args.seed,
    )
    if args.json:
        print(table.to_json(indent=2))
    else:
        with pd.option_context("display.max_colwidth", None, "display.width", 200):
            print(table.to_string())
    return 0


def cmd_headline(args: argparse.Namespace) -> int:
    if args.readme is None:
        if args.check:
            raise GridcoreError("--check needs --readme FILE")
        print(headline.readme_block())
        return 0
    stale = headline.update_readme(args.readme, check=args.check)
    if args.check and stale:
        print(f"{args.readme}: the headline block is stale; run without --check to rewrite it")
        return 1
    print(f"{args.readme}: headline block {'rewritten' if stale else 'up to date'}")
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    return sweeps.main(
        args.spec,
        args.out,
        workers=args.workers,
        address=args.address,
        gpus_per_trial=args.gpus_per_trial,
        quiet=args.quiet,
        models_per_worker=args.models_per_worker,
    )


COMMANDS = {
    "train": cmd_train,
    "score": cmd_score,
    "navigate": cmd_navigate,
    "sweep": cmd_sweep,
    "compare": cmd_compare,
    "headline": cmd_headline,
    "presets": cmd_presets,
}


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except GridcoreError as err:
        print(f"gridcore: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "gridcore: interrupted; resume from the last checkpoint with --resume", file=sys.stderr
        )
        return 130


if __name__ == "__main__":
    sys.exit(main())
