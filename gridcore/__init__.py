"""gridcore: grow grid cells from scratch (Banino et al., Nature 2018) on a laptop CPU.

One module per concept of the paper, in layers that import one way (``tests/test_layers.py``
holds the list): the scorer (``scores``, ``shuffles``, ``scale_modules``, numpy only); the task
(``trajectories``, ``ensembles``, ``model``, ``optim``, ``config``, ``task``); a trained network
and its analyses (``runs``, ``ratemaps``, ``path_integration``, ``census``); training and its
results (``recorder``, ``train``, ``results``); many networks (``sweeps``, ``comparison``,
``navigation`` and its agents); and the front door (``shipped``, ``headline``, ``cli``).
"""

__version__ = "0.1.0"
