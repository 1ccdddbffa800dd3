import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from gridcore import plots
from gridcore.scoring.scores3d import lattice_maps


def test_volume_plots_draw_what_they_are_given():
    maps = np.stack([lattice_maps("fcc", 8, 2.2, 0.6, 0.1, seed=s) for s in range(2)])
    paths = np.random.default_rng(0).uniform(-1, 1, size=(4, 10, 3))
    ax = plots.plot_paths_3d(paths, n=2)
    assert len(ax.lines) == 2 and ax.name == "3d"
    fig = plots.plot_map_slices(maps[0], n_slices=3)
    assert isinstance(fig, Figure) and len(fig.axes) == 3 + 1  # and its colour bar
    slices = [a for a in fig.axes if a.images]
    assert len(slices) == 3
    assert len({tuple(a.images[0].get_clim()) for a in slices}) == 1  # one colour scale
    ax = plots.plot_level_set(maps[0], level=0.5)
    assert ax.collections  # the voxels
    empty = plots.plot_level_set(np.zeros((4, 4, 4)))
    assert not empty.collections
    assert isinstance(plots.plot_sac_slice(np.ones((7, 7, 7))), Axes)
    ax = plots.plot_q6_histogram(np.array([0.3, 0.5, np.nan]), np.array([0.2, 0.4]), 0.4)
    assert len(ax.lines) == 3  # the threshold and the two packings
    ax = plots.plot_stability({10: np.array([0.1, 0.2]), 100: np.array([0.6, 0.8])})
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.15, 0.7])
    ax = plots.plot_axis_fractions(np.array([[0.9, 0.0, 0.1], [0.1, 0.2, 0.3], [0.0, 0.1, 0.8]]))
    assert sum(p.get_height() for p in ax.patches) == 3
    fig = plots.plot_unit_volumes(maps, [0, 1])
    assert len(fig.axes) == 2


def test_volume_views_label_their_axes_in_metres():
    maps = np.stack([lattice_maps("fcc", 8, 2.2, 0.6, 0.1, seed=s) for s in range(2)])
    paths = np.random.default_rng(0).uniform(-1, 1, size=(2, 10, 3))
    views = [plots.plot_paths_3d(paths), plots.plot_level_set(maps[0], level=0.5)]
    views += plots.plot_unit_volumes(maps, [0, 1]).axes
    for ax in views:
        labels = (ax.get_xlabel(), ax.get_ylabel(), ax.get_zlabel())
        assert labels == ("x (m)", "y (m)", "z (m)"), labels
