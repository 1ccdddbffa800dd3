"""Every command of the README's "Train, score, compare" section runs as printed.

Commands that take minutes or hours there run here with tiny sizes. Each such change is listed
in SHRINK; a command the README gains without an entry runs as printed, so the README cannot
drift from the command line unnoticed.
"""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## Train, score, compare"

TINY_SPEC = "preset: tiny\nseeds: 1\nsteps: 20\nscore_every: 20\nscore_trajectories: 30\n"

# README text -> what runs here instead. Every entry must match a README command (tested).
SHRINK = {
    "--preset quick": "--preset tiny",
    "--steps 20000": "--steps 256 --episodes 4",
    "experiments/dropout.yaml --out experiments/dropout": "tiny.yaml --out sweeps/tiny",
    "make experiments": "make -n experiments",
    "--seeds 0 1": "--seeds 0 --quick --force --out nav",
}


def readme_commands() -> list[str]:
    """The shell lines of the section's ```sh blocks, comments stripped."""
    text = (ROOT / "README.md").read_text()
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", section, flags=re.S):
        for line in block.splitlines():
            command = line.split("  #", 1)[0].strip()
            if command:
                lines.append(command)
    return lines


def as_run_here(command: str) -> list[str]:
    """The README line with SHRINK applied, .venv's python replaced by this one."""
    for printed, tiny in SHRINK.items():
        command = command.replace(printed, tiny)
    argv = shlex.split(command)
    if argv[0] == ".venv/bin/python":
        argv[0] = sys.executable
    if argv[0] == "make":
        argv[1:1] = ["-C", str(ROOT)]
    return [
        str(ROOT / a) if a.startswith("experiments/") and a.endswith(".py") else a for a in argv
    ]


def test_the_section_has_the_commands_a_new_user_types():
    commands = readme_commands()
    assert any(" train " in c for c in commands) and any(" compare " in c for c in commands)
    for printed in SHRINK:
        assert any(printed in c for c in commands), f"SHRINK entry {printed!r} is not in README"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    path = tmp_path_factory.mktemp("readme")
    (path / "tiny.yaml").write_text(TINY_SPEC)
    return path


@pytest.mark.parametrize("command", readme_commands())
def test_a_readme_command_runs(command, workdir):
    proc = subprocess.run(
        as_run_here(command), cwd=workdir, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, f"{command}\n{proc.stderr[-2000:]}"
    assert "Traceback" not in proc.stderr
