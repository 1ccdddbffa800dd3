"""Describe the machine a benchmark ran on, so its figures can be compared honestly."""

from __future__ import annotations

import os
import platform


def describe() -> str:
    import numpy as np
    import torch

    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    lines = [
        f"machine: {platform.node()} | {platform.system()} {platform.machine()} | {cpu} | "
        f"{os.cpu_count()} logical cores",
        f"python {platform.python_version()} | torch {torch.__version__} | numpy {np.__version__}"
        f" | torch threads {torch.get_num_threads()}",
    ]
    if torch.cuda.is_available():
        lines.append(f"gpu: {torch.cuda.get_device_name(0)}")
    try:
        load = os.getloadavg()
        lines.append(f"load average at start: {load[0]:.2f} (other work on the machine slows it)")
    except OSError:
        pass
    return "\n".join(lines)
