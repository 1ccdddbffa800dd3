"""Speed of the batched grid scorer against a per-unit loop of DeepMind's algorithm.

For each map size (20 and 32 bins) and layer width (256 and 512 units) it times
``score_ratemaps`` on all units (best of ``--repeats``), and ``reference_grid_score`` on a
random subset of ``--subset`` units, extrapolated linearly to the whole layer (the reference
costs the same for every map of a given size). It also prints the largest |difference| between
the two scorers' 60- and 90-degree scores on that subset. Run: python benchmarks/score_speed.py
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
import scipy
import scipy.ndimage as ndi

from gridcore.scoring import scores as S


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    threads = {
        k: os.environ[k] for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS") if k in os.environ
    }
    return (
        f"{platform.platform()} | {cpu} | {os.cpu_count()} logical cores | "
        f"Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}"
        + (f" | {threads}" if threads else "")
    )


def layer_maps(rng: np.random.Generator, units: int, n: int) -> np.ndarray:
    """A layer-like mix: noisy hexagonal grids, smooth random maps, noisy ramps."""
    c = (np.arange(n) + 0.5) / n * 2.2 - 1.1
    x, y = np.meshgrid(c, c, indexing="ij")
    maps = np.empty((units, n, n))
    for u in range(units):
        kind = u % 3
        if kind == 0:
            k, o = 4 * np.pi / (np.sqrt(3) * rng.uniform(0.4, 0.9)), rng.uniform(0, np.pi)
            maps[u] = sum(
                np.cos(k * (np.cos(o + t) * x + np.sin(o + t) * y) + rng.uniform(0, 6))
                for t in (0, np.pi / 3, 2 * np.pi / 3)
            )
        elif kind == 1:
            maps[u] = ndi.gaussian_filter(rng.normal(size=(n, n)), rng.uniform(1, 3))
        else:
            a = rng.uniform(0, 2 * np.pi)
            maps[u] = np.cos(a) * x + np.sin(a) * y
        maps[u] += rng.uniform(0.01, 0.3) * rng.normal(size=(n, n))
    return maps


def timed(fn) -> tuple[float, float]:
    """(wall, CPU) seconds of one call. CPU time of this process is robust to other jobs
    sharing the machine; with several BLAS/FFT threads it adds their times."""
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def best_time(fn, repeats: int) -> tuple[float, float]:
    runs = [timed(fn) for _ in range(repeats)]
    return min(r[0] for r in runs), min(r[1] for r in runs)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--units", type=int, nargs="+", default=[256, 512])
    p.add_argument("--nbins", type=int, nargs="+", default=[20, 32])
    p.add_argument("--subset", type=int, default=24, help="units scored by the reference loop")
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args()
    print(machine())
    print(
        f"reference: per-unit loop over {args.subset} random units, extrapolated to the layer; "
        f"batched: best of {args.repeats} full runs (operator built once per map size, timed "
        "separately)"
    )
    print("times in seconds, wall / CPU; speed-up = reference loop / batched deepmind mode")
    print(
        "bins units  batched-deepmind  batched-gridcore   reference-loop  "
        "speed-up wall / CPU  max|diff|"
    )
    rng = np.random.default_rng(0)
    worst = 0.0
    for n in args.nbins:
        t0 = time.perf_counter()
        S._rotation_operator(n, S.MASK_INNER, S.MASK_OUTERS)
        build = time.perf_counter() - t0
        for units in args.units:
            maps = layer_maps(rng, units, n)
            fast = S.score_ratemaps(maps, mode="deepmind")
            dm = best_time(lambda m=maps: S.score_ratemaps(m, mode="deepmind"), args.repeats)
            gc = best_time(lambda m=maps: S.score_ratemaps(m), args.repeats)
            subset = rng.choice(units, size=min(args.subset, units), replace=False)
            wall, cpu = time.perf_counter(), time.process_time()
            ref = [S.reference_grid_score(maps[u]) for u in subset]
            scale = units / subset.size
            loop = ((time.perf_counter() - wall) * scale, (time.process_time() - cpu) * scale)
            r60, r90 = (
                np.array([getattr(r, k) for r in ref]) for k in ("grid_score_60", "grid_score_90")
            )
            diff = max(
                np.abs(r60 - fast.grid_score_60[subset]).max(),
                np.abs(r90 - fast.grid_score_90[subset]).max(),
            )
            worst = max(worst, diff)
            print(
                f"{n:4d} {units:5d}  {dm[0]:6.3f} / {dm[1]:6.3f}  {gc[0]:6.3f} / {gc[1]:6.3f}  "
                f"{loop[0]:6.2f} / {loop[1]:6.2f}  {loop[0] / dm[0]:7.1f}x / {loop[1] / dm[1]:5.1f}x"
                f"  {diff:.1e}"
            )
        print(f"     (rotation operator for {n} bins: built once in {build:.3f} s, then cached)")
    print(f"\nlargest |difference| from the per-unit reference: {worst:.1e}")


if __name__ == "__main__":
    main()
