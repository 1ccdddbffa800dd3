"""gridcore: grow grid cells from scratch (Banino et al., Nature 2018) on a laptop CPU.

Modules, one per concept: ``trajectories`` (the simulated rat), ``ensembles`` (place and
head-direction cells), ``model`` (the network), ``optim`` (TF1-style RMSProp), ``config``
(presets), ``train`` (the loop and checkpoints), ``ratemaps`` and ``scores`` (grid scoring),
``plots`` and ``cli``.
"""

__version__ = "0.1.0"
