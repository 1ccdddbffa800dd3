"""Stacked training: model-steps per second for M networks as one, against M separate runs.

    python benchmarks/stacked_speed.py [--steps 20] [--sizes 1 4 16 64] [--threads 1 2]
    python benchmarks/stacked_speed.py --device cuda --sizes 1 4 16 64 128

Times full optimisation steps (forward, backward, clipping, TF1-RMSProp, per-model dropout
masks, stacking the M batches and moving them to the device) of the ``fast`` preset's network
at batch 10. The baseline is one ordinary network (``nn.LSTM``) trained by ``task.train_step``:
M separate runs on one device, one after another, advance M x that many model-steps in M x the
time, so their throughput is the single-model step rate whatever M is. Trajectories are
simulated before the clock starts (in training they cost under 2 % of a step).

Imports only torch and the gridcore modules it times (no Ray, no TensorBoard).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _machine import describe  # noqa: E402

from gridcore.net.config import get_preset  # noqa: E402
from gridcore.net.task import StepSettings, build, make_optimizer_for, train_step  # noqa: E402
from gridcore.training.stacked import (  # noqa: E402
    StackedNetwork,
    make_generators,
    stack_trajectories,
    stacked_train_step,
)
from gridcore.world.trajectories import simulate  # noqa: E402

WARM = 3


def _batches(cfg, seed: int, n: int):
    """``n`` training batches of ``cfg`` for one model, simulated on the CPU now."""
    gen = torch.Generator().manual_seed(seed)
    traj = simulate(cfg.batch_size * n, cfg.seq_len, cfg.motion, generator=gen)
    return [traj[i * cfg.batch_size : (i + 1) * cfg.batch_size] for i in range(n)]


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _timed(step, steps: int, device: torch.device) -> float:
    """Seconds per call of ``step(i)`` over ``steps`` calls after ``WARM`` untimed ones."""
    for i in range(WARM):
        step(i)
    _sync(device)
    start = time.perf_counter()
    for i in range(WARM, WARM + steps):
        step(i)
    _sync(device)
    return (time.perf_counter() - start) / steps


def single_step_time(cfg, steps: int, device: torch.device) -> float:
    """Seconds per optimisation step of one ordinary network."""
    torch.manual_seed(0)
    model, ens = build(cfg, device)
    model.train()
    opt = make_optimizer_for(cfg, model)
    data = _batches(cfg, 0, WARM + steps)
    settings = StepSettings(opt, cfg)
    return _timed(lambda i: train_step(model, ens, settings, data[i].to(device), i), steps, device)


def _stacked_setup(cfg, m: int, steps: int, device: torch.device):
    """``m`` networks (seeds 0..m-1) stacked into one, with its ensembles, optimiser, dropout
    generators and each model's batches."""
    models = []
    for seed in range(m):
        torch.manual_seed(seed)
        models.append(build(cfg, device)[0])
    ens = build(cfg, device)[1]
    net = StackedNetwork(models).train()
    del models
    opt = make_optimizer_for(cfg, net)
    states = [torch.Generator(device=device).manual_seed(s).get_state() for s in range(m)]
    gens = make_generators(states, device)
    data = [_batches(cfg, seed, WARM + steps) for seed in range(m)]
    return net, ens, opt, gens, data


def stacked_step_time(cfg, m: int, steps: int, device: torch.device) -> float:
    """Seconds per optimisation step of ``m`` networks stacked into one."""
    net, ens, opt, gens, data = _stacked_setup(cfg, m, steps, device)
    settings = StepSettings(opt, cfg)

    def step(i: int) -> None:
        traj = stack_trajectories([d[i] for d in data]).to(device)
        stacked_train_step(net, ens, settings, traj, i, gens)

    return _timed(step, steps, device)


def stacked_graph_step_time(cfg, m: int, steps: int, device: torch.device) -> float:
    """As :func:`stacked_step_time`, with the whole step (forward, backward, clipping, update)
    captured once in a CUDA graph and replayed: no Python and no launch overhead per kernel.
    An experiment: the learning rate is frozen into the graph, so the training loop does not
    do this."""
    net, ens, opt, gens, data = _stacked_setup(cfg, m, steps, device)
    settings = StepSettings(opt, cfg)
    static = stack_trajectories([d[0] for d in data]).to(device)
    side = torch.cuda.Stream(device)
    side.wait_stream(torch.cuda.current_stream(device))
    with torch.cuda.stream(side):  # the optimiser's buffers and the grads exist before capture
        for _ in range(WARM):
            stacked_train_step(net, ens, settings, static, 0, gens)
    torch.cuda.current_stream(device).wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    for gen in gens:  # custom generators must be registered (torch >= 2.5)
        graph.register_generator_state(gen)
    opt.zero_grad(set_to_none=True)
    with torch.cuda.graph(graph):
        stacked_train_step(net, ens, settings, static, 0, gens)

    def step(i: int) -> None:
        batch = stack_trajectories([d[i] for d in data])
        for name in ("init_pos", "init_hd", "velocity", "target_pos", "target_hd"):
            getattr(static, name).copy_(getattr(batch, name), non_blocking=True)
        graph.replay()

    return _timed(step, steps, device)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20, help="timed steps per measurement")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 4, 16, 64])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2], help="CPU threads")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--preset", default="fast", help="the network and task (default: fast)")
    parser.add_argument(
        "--cuda-graph",
        action="store_true",
        help="also time each stacked step replayed from a CUDA graph (an experiment)",
    )
    args = parser.parse_args()
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        sys.exit("stacked_speed: --device cuda, but torch sees no CUDA device")
    if args.cuda_graph and device.type != "cuda":
        sys.exit("stacked_speed: --cuda-graph needs --device cuda")
    cfg = get_preset(args.preset, batch_size=args.batch_size)
    threads = args.threads if device.type == "cpu" else [torch.get_num_threads()]
    print(describe())
    print(
        f"preset {args.preset}: batch {cfg.batch_size}, {cfg.seq_len} steps, {cfg.core} "
        f"{cfg.n_hidden}, bottleneck {cfg.n_bottleneck}, {cfg.n_place} place cells; "
        f"{args.steps} timed steps after {WARM} warm-up steps"
    )
    for n_threads in threads:
        torch.set_num_threads(n_threads)
        where = f"{device.type}, {n_threads} thread{'s' if n_threads > 1 else ''}"
        if device.type == "cuda":
            where = f"cuda ({torch.cuda.get_device_name(device)})"
        single = single_step_time(cfg, args.steps, device)
        print(
            f"\n{where}: one ordinary network (nn.LSTM) {1000 * single:.1f} ms/step = "
            f"{1 / single:.1f} model-steps/s (M separate runs: the same rate)"
        )
        print(
            f"{'M':>5} {'ms/step':>9} {'model-steps/s':>14} {'vs M separate':>14} "
            f"{'step rate vs one':>17}"
        )
        for m in args.sizes:
            try:
                t = stacked_step_time(cfg, m, args.steps, device)
            except torch.cuda.OutOfMemoryError:
                print(f"{m:5d}  out of memory")
                torch.cuda.empty_cache()
                continue
            extra = ""
            if device.type == "cuda":
                extra = f"  peak {torch.cuda.max_memory_allocated(device) / 2**30:.1f} GiB"
                torch.cuda.reset_peak_memory_stats(device)
            print(
                f"{m:5d} {1000 * t:9.1f} {m / t:14.1f} {m * single / t:13.2f}x "
                f"{100 * single / t:16.0f} %{extra}",
                flush=True,
            )
        if args.cuda_graph:
            print("stacked steps replayed from a CUDA graph (against the same eager single step):")
            for m in args.sizes:
                try:
                    t = stacked_graph_step_time(cfg, m, args.steps, device)
                except Exception as err:  # an experiment: report and carry on
                    print(f"{m:5d}  failed: {type(err).__name__}: {str(err).splitlines()[0]}")
                    break
                print(
                    f"{m:5d} {1000 * t:9.1f} {m / t:14.1f} {m * single / t:13.2f}x "
                    f"{100 * single / t:16.0f} %  (graph)",
                    flush=True,
                )


if __name__ == "__main__":
    main()
