"""What a trained network does, measured: its maps, its path integration, its cell types.

* :mod:`~gridcore.analysis.ratemaps`: ratemaps on fresh trajectories, from the evaluation seed;
* :mod:`~gridcore.analysis.ratemaps3d`: a 3-D network's maps, their stability, its summary;
* :mod:`~gridcore.analysis.path_integration`: the decoded position's drift over long paths;
* :mod:`~gridcore.analysis.census`: a network's units typed by :mod:`gridcore.scoring.celltypes`;
* :mod:`~gridcore.analysis.results`: a network, its snapshots or a ratemap file scored, as tables;
* :mod:`~gridcore.analysis.real_paths`: a network run along a real rat's paths;
* :mod:`~gridcore.analysis.torus`: persistent homology of a network's grid modules;
* :mod:`~gridcore.analysis.comparison`: the shipped networks beside the paper, point by point;
* :mod:`~gridcore.analysis.grid_fields`: grid-like units as cells: spacing against the box,
  fields per box, the spread of their orientations.

Its modules import the base modules, :mod:`gridcore.scoring`, :mod:`gridcore.world` and
:mod:`gridcore.net` (a trained network comes from :mod:`gridcore.net.runs`), and each other;
never the training loops (:mod:`gridcore.training`) or anything above them
(``tests/test_layers.py``).
"""
