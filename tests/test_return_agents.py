"""Find-then-return agents: layouts held out, the plateau rule, and a tiny agent end to end."""

import numpy as np
import pandas as pd
import pytest

from gridcore.errors import GridcoreError
from gridcore.net.config import get_preset
from gridcore.net.runs import untrained_network
from gridcore.world.arenas import goal_doors

pytest.importorskip("stable_baselines3")
from gridcore.navigation import return_agents as ra  # noqa: E402


def test_held_out_layouts_are_never_trained_on_and_the_shortcut_opens_only_at_test():
    arena = goal_doors()
    train, held_out = ra.split_layouts(arena)
    assert len(train) + len(held_out) == len(arena.layouts()) and len(held_out) > 5
    assert not {tuple(r) for r in train} & {tuple(r) for r in held_out}
    shortcut = ra.shortcut_layouts(arena)
    assert shortcut[:, arena.shortcut].all() and not train[:, arena.shortcut].any()
    assert all(arena.connected(r) for r in shortcut)


def test_the_plateau_rule_tells_a_flat_curve_from_a_rising_one():
    steps = np.linspace(0, 1e6, 50)
    flat = pd.DataFrame({"env_steps": steps, "goals": 2.0 + 0.01 * np.sin(steps)})
    rising = pd.DataFrame({"env_steps": steps, "goals": 1.0 + steps / 2e5})
    assert ra.plateau(flat)[0] and not ra.plateau(rising)[0]
    assert ra.plateau(rising)[1] > ra.PLATEAU_CHANGE


def test_bad_specs_are_refused():
    for bad in ({"variant": "grid"}, {"arena": "maze"}, {"algorithm": "dqn"}, {"steps": 0}):
        with pytest.raises(GridcoreError):
            ra.ReturnAgentSpec(**bad)


@pytest.mark.parametrize("algorithm", ["ppo", "recurrent-ppo"])
def test_a_tiny_agent_trains_and_is_tested_on_held_out_and_shortcut_episodes(algorithm):
    net = untrained_network(get_preset("tiny", anchor_prob=0.1), seed=0)
    spec = ra.ReturnAgentSpec(
        "bottleneck",
        "goal-doors",
        steps=1024,
        n_envs=4,
        algorithm=algorithm,
        episode={"steps": 64},
    )
    model, curve = ra.train_agent(net, spec, progress=False)
    assert list(curve.columns) == ["env_steps", "goals"]
    for test in ("held-out", "shortcut"):
        result = ra.evaluate(model, ra.make_envs(net, spec, test=test, n_envs=4))
        assert result["episodes"] == 4 and result["goals_per_episode"] >= 0
