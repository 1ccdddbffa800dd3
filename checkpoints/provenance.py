"""Write a shipped network's provenance.json: the command that trained it, the commit, the
machine, the wall time and the metrics of its scores.json.

    python checkpoints/provenance.py RUN_DIR WALL_SECONDS "COMMAND" [--note TEXT]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from _machine import describe  # noqa: E402

from gridcore.files import write_text_atomic  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("wall_s", type=int)
    parser.add_argument("command")
    parser.add_argument("--note", default="")
    args = parser.parse_args()
    import torch

    cfg = json.loads((args.run_dir / "config.json").read_text())
    torch.set_num_threads(cfg["threads"])
    commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    provenance = {
        "command": args.command,
        "seed": cfg["seed"],
        "commit": commit.strip(),
        "machine": describe(),
        "wall_time_s": args.wall_s,
        "metrics": json.loads((args.run_dir / "scores.json").read_text()),
    }
    if args.note:
        provenance["note"] = args.note
    write_text_atomic(args.run_dir / "provenance.json", json.dumps(provenance, indent=2) + "\n")
    print(json.dumps(provenance["metrics"], indent=2))


if __name__ == "__main__":
    main()
