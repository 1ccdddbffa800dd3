"""Scoring: what a ratemap or a population's activity says, in numpy alone (never torch).

* :mod:`~gridcore.scoring.binning`: ratemaps from positions and activity, accumulated in bins;
* :mod:`~gridcore.scoring.binning3d`: the same in a cube, and the split-half correlation;
* :mod:`~gridcore.scoring.scores`: spatial autocorrelograms and the grid score (DeepMind's and
  gridcore's modes), :class:`~gridcore.scoring.scores.GridScores`;
* :mod:`~gridcore.scoring.scores3d`: the 3-D autocorrelogram and the regularity (Q6) of its peaks;
* :mod:`~gridcore.scoring.sac_geometry`: degenerate maps, and a SAC's scale and orientation;
* :mod:`~gridcore.scoring.shuffles`: shuffle nulls of the grid score;
* :mod:`~gridcore.scoring.scale_modules`: grid modules among the grid scales (clusters, BIC);
* :mod:`~gridcore.scoring.grid_period`: the period that centre-surround targets predict;
* :mod:`~gridcore.scoring.topology`: persistent homology of a population against time-shift nulls;
* :mod:`~gridcore.scoring.celltypes`: speed, head-direction, border and grid cells typed;
* :mod:`~gridcore.scoring.synthetic`: synthetic maps (hexagons, squares) with known answers.

Its modules import numpy, scipy and the base modules (:mod:`gridcore.paper`,
:mod:`gridcore.errors`, ...) and each other; never torch or matplotlib, nor any other gridcore
package (``tests/test_layers.py``).
"""
