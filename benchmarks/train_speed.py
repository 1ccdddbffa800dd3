"""Training steps per second and trajectory throughput.

    python benchmarks/train_speed.py [--steps 200] [--threads 1] [--device cpu cuda]

Times full optimisation steps (data, forward, backward, clipping, TF1-RMSProp) of the Banino
network at batch 10 and batch 200, and the simulator's trajectories per second, on the CPU and,
when one is present, on the GPU (or on the devices named by ``--device``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import describe  # noqa: E402

from gridcore.net.config import get_preset  # noqa: E402
from gridcore.net.optim import clip_gradients, make_optimizer  # noqa: E402
from gridcore.net.task import build, losses  # noqa: E402
from gridcore.world.trajectories import TrajectoryStream, simulate  # noqa: E402


def time_training(batch_size: int, steps: int, device: str) -> float:
    """Optimisation steps per second of the ``fast`` preset at ``batch_size``."""
    cfg = get_preset("fast", batch_size=batch_size)
    torch.manual_seed(0)
    model, ens = build(cfg)
    model.to(device).train()
    ens.place.centres, ens.hd.centres = ens.place.centres.to(device), ens.hd.centres.to(device)
    opt = make_optimizer(cfg.optimizer, model.parameters(), cfg.lr)
    data = TrajectoryStream(batch_size, cfg.seq_len, cfg.motion, seed=0, device=device)

    def step(i: int) -> None:
        place, hd, _ = losses(model, ens, data.batch(i))
        opt.zero_grad(set_to_none=True)
        (place + hd).backward()
        clip_gradients(model.parameters(), cfg.grad_clip)
        opt.step()

    warm = 10
    for i in range(warm):
        step(i)
    if device == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for i in range(warm, warm + steps):
        step(i)
    if device == "cuda":
        torch.cuda.synchronize()
    return steps / (time.perf_counter() - start)


def time_trajectories(batch_size: int, device: str, repeats: int = 3) -> float:
    """Simulated 100-step trajectories per second, ``batch_size`` rats at a time."""
    gen = torch.Generator(device=device).manual_seed(0)
    simulate(batch_size, 100, "sorscher", generator=gen, device=device)
    best = 0.0
    for _ in range(repeats):
        if device == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        simulate(batch_size, 100, "sorscher", generator=gen, device=device)
        if device == "cuda":
            torch.cuda.synchronize()
        best = max(best, batch_size / (time.perf_counter() - start))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--device",
        nargs="+",
        choices=("cpu", "cuda"),
        help="devices to time (default: the CPU, and the GPU when there is one)",
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(describe())
    devices = args.device or ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    if "cuda" in devices and not torch.cuda.is_available():
        sys.exit("train_speed: --device cuda, but torch sees no CUDA device")
    for device in devices:
        for batch in (10, 200):
            steps = args.steps if batch == 10 else max(args.steps // 10, 10)
            rate = time_training(batch, steps, device)
            print(
                f"{device}: training batch {batch:3d}: {rate:7.1f} steps/s "
                f"({1000 / rate:6.1f} ms/step, {rate * batch:8.0f} trajectories/s)"
            )
        for batch in (10, 2000):
            rate = time_trajectories(batch, device)
            print(f"{device}: simulator, {batch:4d} rats at once: {rate:9.0f} trajectories/s")


if __name__ == "__main__":
    main()
