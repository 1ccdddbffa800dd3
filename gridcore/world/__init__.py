"""The world: the simulated rat and its cells, in torch.

* :mod:`~gridcore.world.trajectories`: the rat's motion model and the paths it draws in a box;
* :mod:`~gridcore.world.arenas`: walls, a door and shortest paths in the box;
* :mod:`~gridcore.world.volume`: the motion model in a cube;
* :mod:`~gridcore.world.ensembles`: place and head-direction cells, their targets and decoding;
* :mod:`~gridcore.world.ensembles3d`: place cells in a cube, direction cells on the sphere;
* :mod:`~gridcore.world.real_rats`: recorded rats' paths, and the motion model fitted to them.

Its modules import the base modules and :mod:`gridcore.scoring`, and each other; never the
network (:mod:`gridcore.net`) or anything above it (``tests/test_layers.py``).
"""
