"""Plotting functions (matplotlib's object API: nothing is shown, nothing goes through pyplot).

``from gridcore import plots; plots.plot_x(...)`` reaches every public name; the modules group
them by topic:

* :mod:`gridcore.plots.cells`: the box, place-cell centres, paths, head-direction tuning, the
  initial code, decoding against sigma, speed and turn histograms, occupancy, decoded paths;
* :mod:`gridcore.plots.scores`: SACs, ratemap grids, score histograms and shuffle nulls, grid
  geometry, the scorer's rings and rotations, scale clusters, emergence, error against time;
* :mod:`gridcore.plots.training`: the architecture, training curves, the grid fraction while
  training, gradient histograms, update sizes;
* :mod:`gridcore.plots.widgets`: one unit at a glance, its HTML score table, the ipywidgets
  unit browser and gallery, figures as PNG bytes;
* :mod:`gridcore.plots.arenas`: an arena's walls, door and gap, and agents' paths in it;
* :mod:`gridcore.plots.live`: :class:`LiveTrainingPlot`, redrawn while training runs;
* :mod:`gridcore.plots.real_rats`: the motion fitted to a real rat, ratemaps along its paths;
* :mod:`gridcore.plots.topology`: barcodes of a population's persistent homology;
* :mod:`gridcore.plots.periods`: grid period against place-cell width, with the prediction;
  one network's grid scales by read-out slice and scale cluster;
* :mod:`gridcore.plots.census`: a cell-type census, each type's scores against their null;
* :mod:`gridcore.plots.sweeps`: a sweep's metric against its conditions (every seed a point),
  an experiment's metrics side by side, curves over training, error against grid fraction;
* :mod:`gridcore.plots.agents`: reinforcement-learning agents over seeds: learning curves,
  success per variant, lesions.

Conventions:

* A **single-panel** plot is ``plot_x(data, ..., ax=None) -> Axes``: the data come first, the
  options after them, and ``ax`` last (pass it by keyword). With ``ax=None`` a new Figure with
  one Axes is made; either way the Axes drawn into is returned (its figure is ``ax.figure``).
  :func:`draw_box` follows the same rule.
* A **multi-panel** figure returns the Figure. One with a fixed number of panels
  (:func:`plot_training_curves`: 3, :func:`plot_emergence`: 2, :func:`unit_panel`: 3,
  :func:`plot_rotations`: one per rotation plus the SAC, :func:`plot_barcodes`: one per
  homology dimension, :func:`plot_census`: one per cell type, :func:`plot_experiment`: one
  per metric) takes ``axes=None``, a sequence of that many Axes to draw into; one whose grid
  grows with its data (:func:`plot_ratemaps_and_sacs`,
  :func:`plot_ratemap_grid`, :func:`plot_box_maps`, :func:`plot_ring_masks`) takes ``fig=None``,
  an empty Figure or SubFigure to lay its grid out in.
* Ratemaps ``maps[u, ix, iy]`` are drawn with x to the right and y up; positions are in metres
  with the box centred at the origin.
* Maps and SACs use a perceptual colour map (viridis) and carry colour bars: a grid of maps is
  normalised per map and shares one bar ("activity (normalised per unit)"); SACs share a
  correlation bar on the fixed scale -1 to 1. The paper's numbers come from :mod:`gridcore.paper`.
* Plots import the base modules (:mod:`gridcore.paper` among them), :mod:`gridcore.scoring`,
  :mod:`gridcore.world` and the sweeps' statistics (:mod:`gridcore.sweeps.summary`, pandas
  only); never the network, its analyses or its training: objects from those (a config, a
  ``PathIntegration``, an ``Emergence``) are used through their attributes.
"""

from __future__ import annotations

from gridcore.plots._common import legible_legends, power_of_ten
from gridcore.plots.agents import (
    plot_agent_lesions,
    plot_agent_lesions_by_network,
    plot_learning_curves,
    plot_learning_curves_by_network,
    plot_seed_success,
)
from gridcore.plots.arenas import plot_arena, plot_arena_paths
from gridcore.plots.cells import (
    draw_box,
    plot_activity_along_paths,
    plot_box_map,
    plot_box_maps,
    plot_code_bars,
    plot_decoded_path,
    plot_decoding_vs_sigma,
    plot_hd_tuning,
    plot_occupancy,
    plot_paths,
    plot_place_centres,
    plot_speed_histogram,
    plot_turn_histogram,
)
from gridcore.plots.census import plot_census
from gridcore.plots.live import LiveTrainingPlot
from gridcore.plots.periods import plot_module_scales, plot_period_vs_sigma, plot_slice_scales
from gridcore.plots.real_rats import plot_motion_fit, plot_real_vs_simulated
from gridcore.plots.returns import plot_drift, plot_goal_curves, plot_goals_by_seed
from gridcore.plots.scores import (
    plot_bic,
    plot_emergence,
    plot_error_vs_time,
    plot_geometry,
    plot_ratemap_grid,
    plot_ratemaps_and_sacs,
    plot_ring_masks,
    plot_ring_scores,
    plot_rotation_correlations,
    plot_rotations,
    plot_sac,
    plot_scale_clusters,
    plot_score_histogram,
    plot_score_null,
    plot_unit,
)
from gridcore.plots.sweeps import (
    plot_curves,
    plot_error_vs_grid,
    plot_error_vs_grid_by_sweep,
    plot_experiment,
    plot_sweep,
)
from gridcore.plots.topology import plot_barcodes
from gridcore.plots.training import (
    plot_architecture,
    plot_gradient_histogram,
    plot_grid_fraction,
    plot_training_curves,
    plot_update_sizes,
)
from gridcore.plots.volume import (
    plot_axis_fractions,
    plot_level_set,
    plot_map_slices,
    plot_paths_3d,
    plot_q6_histogram,
    plot_sac_slice,
    plot_stability,
    plot_unit_volumes,
)
from gridcore.plots.widgets import (
    figure_png,
    unit_browser,
    unit_gallery,
    unit_info_html,
    unit_panel,
)

__all__ = [
    "legible_legends",
    "power_of_ten",
    "plot_drift",
    "plot_goal_curves",
    "plot_goals_by_seed",
    "LiveTrainingPlot",
    "draw_box",
    "figure_png",
    "plot_activity_along_paths",
    "plot_architecture",
    "plot_axis_fractions",
    "plot_arena",
    "plot_arena_paths",
    "plot_barcodes",
    "plot_module_scales",
    "plot_period_vs_sigma",
    "plot_slice_scales",
    "plot_bic",
    "plot_box_map",
    "plot_box_maps",
    "plot_census",
    "plot_learning_curves",
    "plot_learning_curves_by_network",
    "plot_seed_success",
    "plot_agent_lesions",
    "plot_agent_lesions_by_network",
    "plot_code_bars",
    "plot_decoded_path",
    "plot_decoding_vs_sigma",
    "plot_curves",
    "plot_emergence",
    "plot_error_vs_grid",
    "plot_error_vs_grid_by_sweep",
    "plot_error_vs_time",
    "plot_geometry",
    "plot_experiment",
    "plot_gradient_histogram",
    "plot_grid_fraction",
    "plot_hd_tuning",
    "plot_level_set",
    "plot_map_slices",
    "plot_motion_fit",
    "plot_occupancy",
    "plot_paths",
    "plot_paths_3d",
    "plot_place_centres",
    "plot_q6_histogram",
    "plot_ratemap_grid",
    "plot_ratemaps_and_sacs",
    "plot_unit",
    "plot_real_vs_simulated",
    "plot_ring_masks",
    "plot_ring_scores",
    "plot_rotation_correlations",
    "plot_rotations",
    "plot_sac",
    "plot_sac_slice",
    "plot_scale_clusters",
    "plot_sweep",
    "plot_score_histogram",
    "plot_score_null",
    "plot_speed_histogram",
    "plot_stability",
    "plot_training_curves",
    "plot_turn_histogram",
    "plot_unit_volumes",
    "plot_update_sizes",
    "unit_browser",
    "unit_gallery",
    "unit_info_html",
    "unit_panel",
]
