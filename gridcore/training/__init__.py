"""Training: the loops of the path-integration task, and what they write while they run.

* :mod:`~gridcore.training.train`: the training loops, one network or M stacked, with resumption;
* :mod:`~gridcore.training.recorder`: a run directory while it trains (history, TensorBoard,
  snapshots, checkpoints, the divergence check);
* :mod:`~gridcore.training.stacked`: M networks as one, the task with a leading model axis;
* :mod:`~gridcore.training.diagnostics`: raw gradients and the size of every update.

Its modules import the base modules, :mod:`gridcore.scoring`, :mod:`gridcore.world`,
:mod:`gridcore.net` and :mod:`gridcore.analysis` (the recorder scores while training), and each
other; never :mod:`gridcore.navigation`, which stands beside it (``tests/test_layers.py``).
"""
