"""Navigation: a frozen trained network put to use, by agents that find goals.

* :mod:`~gridcore.navigation.vectors`: goal vectors read out of a frozen network, agents that
  follow them, and lesions of its grid units;
* :mod:`~gridcore.navigation.agents`: points that step towards goals among walls, and the
  random-walk baseline;
* :mod:`~gridcore.navigation.shortcuts`: an arena with a door that opens at test, crossed by
  grid, place and route agents;
* :mod:`~gridcore.navigation.verdicts`: the navigation chapter's answers, worded from its
  measurements;
* :mod:`~gridcore.navigation.env`: the box as a gymnasium environment seen through a frozen
  network;
* :mod:`~gridcore.navigation.rl_agents`: PPO agents on that environment (stable-baselines3),
  trained, saved and tested;
* :mod:`~gridcore.navigation.rl_results`: what those agents did, read from their shipped tables
  over seeds (pandas only), and the chapter's answer on grid against place codes.

Its modules import the base modules, :mod:`gridcore.scoring`, :mod:`gridcore.world`,
:mod:`gridcore.net` and :mod:`gridcore.analysis`, and each other; never the training loops
(:mod:`gridcore.training`), which stand beside it (``tests/test_layers.py``). The ``rl`` extra
is optional: :mod:`~gridcore.navigation.env` imports gymnasium inside a guard, and
:mod:`~gridcore.navigation.rl_agents` stable-baselines3 and sb3-contrib inside its functions.
"""
