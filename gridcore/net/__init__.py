"""The network, the task it learns, and a trained network read back, in torch.

* :mod:`~gridcore.net.model`: the Banino et al. network (recurrent core, bottleneck, read-outs);
* :mod:`~gridcore.net.optim`: optimisers (TF1's RMSProp among them), gradient clipping, L2;
* :mod:`~gridcore.net.config`: the experiment's configuration, one dataclass with named presets;
* :mod:`~gridcore.net.task`: the supervised path-integration task, its losses and one step;
* :mod:`~gridcore.net.runs`: the run directory, and the trained network read back from it.

Its modules import the base modules, :mod:`gridcore.scoring` and :mod:`gridcore.world`, and
each other; never an analysis, the training loops or anything above them
(``tests/test_layers.py``).
"""
