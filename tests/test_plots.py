"""Smoke tests of the scorer plots, and of the plotting conventions (Agg backend, nothing shown).

Every single-panel plot returns the Axes it drew into: a new one when ``ax`` is None, the given
one otherwise.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from dataclasses import replace  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from gridcore import plots as P  # noqa: E402
from gridcore.net.config import get_preset  # noqa: E402
from gridcore.paper import GRID_FRACTION, MODULE_SCALES_M  # noqa: E402
from gridcore.scoring import scale_modules, shuffles  # noqa: E402
from gridcore.scoring import scores as S  # noqa: E402
from gridcore.sweeps.spec import CURVE_COLUMNS  # noqa: E402
from gridcore.world.arenas import two_rooms  # noqa: E402
from gridcore.world.ensembles import Ensembles, decoding_errors_vs_sigma  # noqa: E402
from gridcore.world.trajectories import get_motion, occupancy, simulate  # noqa: E402


def _maps() -> np.ndarray:
    rng = np.random.default_rng(0)
    c = (np.arange(16) + 0.5) / 16 * 2.2 - 1.1
    x, y = np.meshgrid(c, c, indexing="ij")
    k = 2 * np.pi / 0.5
    hexes = [
        sum(np.cos(k * (np.cos(a + t) * x + np.sin(a + t) * y)) for t in (0, 1.047, 2.094))
        for a in rng.uniform(0, 1, 5)
    ]
    maps = np.stack(hexes + [rng.normal(size=(16, 16)), x, np.zeros((16, 16))])
    maps[0, :3, :3] = np.nan
    return maps


def test_scorer_plots_draw(tmp_path):
    maps = _maps()
    res = S.score_ratemaps(maps)
    fig = P.plot_ratemaps_and_sacs(maps, res, n=6, ncols=3)
    assert isinstance(fig, Figure) and len(fig.axes) == 12 + 2  # 6 maps, 6 SACs, 2 colour bars
    assert fig.axes[0].get_title().startswith(f"#{int(np.argmax(res.grid_score_60))} ")
    fig.savefig(tmp_path / "grid.png")
    ax = P.plot_score_histogram(res, shuffle=shuffles.shuffle_threshold(maps, n_shuffles=1))
    assert len(ax.get_legend().get_texts()) == 5
    ax.figure.savefig(tmp_path / "hist.png")
    ax = P.plot_geometry(res)
    assert ax.get_title() == f"{int((res.grid_like & np.isfinite(res.scale_m)).sum())} units"
    ax.figure.savefig(tmp_path / "geometry.png")
    P.plot_ratemaps_and_sacs(maps, res, units=[6, 7], sort=False)  # degenerate units only


# --------------------------------------------------------------------------------------------
# The convention: plot_x(data, ..., ax=None) -> Axes


class _PathResult:
    """The attributes of a ``PathIntegration`` that the plots read (2 trajectories, 5 steps)."""

    times_s = np.arange(1, 6) * 0.02
    init_pos = np.zeros((2, 2))
    true_pos = np.linspace(0, 0.5, 20).reshape(2, 5, 2)
    decoded_pos = true_pos + 0.01
    errors_cm = np.ones((2, 5))
    mean_error_cm = np.ones(5)
    sem_error_cm = np.zeros(5)

    def true_path(self, i):
        return np.concatenate([self.init_pos[i][None], self.true_pos[i]])


def _single_panel_calls():
    """(name, call taking ``ax``) for every single-panel plot."""
    maps = _maps()
    res = S.score_ratemaps(maps)
    null = shuffles.shuffle_threshold(maps, n_shuffles=1, method="bins")
    corr, _ = S.rotation_correlations(res.sacs[:1])
    clusters = scale_modules.cluster_scales(np.r_[0.5, 0.52, 0.7, 0.71, 0.72])
    ens = Ensembles.create()
    agent_curves = pd.DataFrame(
        {"variant": "grid", "seed": [0, 0, 1, 1], "env_steps": [1, 2] * 2, "success_rate": 0.5}
    )
    agent_success = pd.DataFrame({"variant": ["grid", "place"], "seed": 0, "value": [0.4, 0.3]})
    drift = pd.DataFrame(
        {"anchor_prob": [0.0, 0.0, 0.05, 0.05], "step": [1, 2] * 2, "median_cm": 5.0, "p95_cm": 9.0}
    )
    goal_curves = pd.DataFrame(
        {"variant": "place", "seed": [0, 0, 1, 1], "env_steps": [1, 2] * 2, "goals": [0.5, 1.0] * 2}
    )
    goal_results = pd.DataFrame(
        {
            "variant": ["bottleneck", "place"],
            "seed": 0,
            "condition": "held-out",
            "goals_per_episode": [1.0, 2.0],
        }
    )
    agent_lesions = pd.DataFrame(
        {"variant": "grid", "seed": 0, "lesion": ["grid", "random"], "k": 10, "success_rate": 0.4}
    )
    motion = get_motion("sorscher")
    tr = simulate(4, 20, motion, generator=torch.Generator().manual_seed(0))
    cfg = get_preset("fast")
    rows = [
        {"step": s, "loss": 8.0, "place_loss": 5.0, "hd_loss": 3.0, "position_error_cm": 50.0,
         "heading_error_deg": 30.0, "grid_fraction_037": 0.1, "grid_fraction_080": 0.0}
        for s in (100, 200)
    ]  # fmt: skip
    path = _PathResult()
    rng = np.random.default_rng(0)
    fractions = rng.dirichlet(np.ones(3), size=10)  # each unit's variance along x, y, z
    periods = pd.DataFrame(
        {
            "experiment": ["a", "a", "b"],
            "place_kind": ["dog", "dog", "gaussian"],
            "place_sigma_m": [0.08, 0.12, 0.01],
            "median_scale_m": [0.6, 0.9, 1.4],
        }
    )
    networks = pd.DataFrame(
        {
            "condition": ["sliced", "shared"],
            "seed": [0, 0],
            "place_readout": ["sliced", "shared"],
            "unit_scales_m": [(0.6, 0.62, 0.9), (0.7, 0.8)],
            "unit_slices": [(0, 0, 1), (0, 0)],
            "module_scales_m": [(0.61, 0.9), (0.75,)],
            "has_modules": [True, False],
        }
    )
    trials = pd.DataFrame(
        {
            "experiment": ["x", "x", "y"],
            "condition": ["a", "a", "b"],
            "status": ["done"] * 3,
            "grid_fraction_037": [0.1, 0.2, 0.3],
            "position_error_cm": [30.0, 20.0, 25.0],
        }
    )
    curves = pd.DataFrame(
        [(f"a-{seed}", "a", seed, step, "training", "grid_fraction_037", 0.1 * seed)
         for seed in (0, 1) for step in (100, 200)],
        columns=CURVE_COLUMNS,
    )  # fmt: skip
    return [
        ("plot_sac", lambda ax: P.plot_sac(res.sacs[0], (2.0, 5.0), ax=ax)),
        ("plot_score_histogram", lambda ax: P.plot_score_histogram(res, ax=ax)),
        ("plot_score_null", lambda ax: P.plot_score_null(res, null, ax=ax)),
        ("plot_geometry", lambda ax: P.plot_geometry(res, only_grid_like=False, ax=ax)),
        ("plot_rotation_correlations", lambda ax: P.plot_rotation_correlations(corr[0, 0], ax=ax)),
        ("plot_ring_scores", lambda ax: P.plot_ring_scores(corr[0], 16, ax=ax)),
        ("plot_scale_clusters", lambda ax: P.plot_scale_clusters(clusters, ax=ax)),
        ("plot_bic", lambda ax: P.plot_bic(clusters, ax=ax)),
        ("plot_error_vs_time", lambda ax: P.plot_error_vs_time({"a": path}, ax=ax)),
        ("draw_box", lambda ax: P.draw_box(2.2, ax=ax)),
        ("plot_arena", lambda ax: P.plot_arena(two_rooms(), door_open=False, ax=ax)),
        (
            "plot_arena_paths",
            lambda ax: P.plot_arena_paths(
                two_rooms(), np.zeros((2, 5, 2)), np.zeros((2, 2)), np.ones((2, 2)), ax=ax
            ),
        ),
        ("plot_place_centres", lambda ax: P.plot_place_centres(ens.place.centres, ax=ax)),
        ("plot_paths", lambda ax: P.plot_paths(tr, n=2, ax=ax)),
        ("plot_box_map", lambda ax: P.plot_box_map(maps[0], colorbar="a", ax=ax)),
        (
            "plot_activity_along_paths",
            lambda ax: P.plot_activity_along_paths(tr.target_pos, tr.speed, ax=ax),
        ),  # fmt: skip
        ("plot_hd_tuning", lambda ax: P.plot_hd_tuning(ens.hd, ax=ax)),
        ("plot_code_bars", lambda ax: P.plot_code_bars(torch.rand(268), 256, ax=ax)),
        (
            "plot_decoding_vs_sigma",
            lambda ax: P.plot_decoding_vs_sigma(
                decoding_errors_vs_sigma(ens.place, [0.01, 0.1], n_positions=20), ax=ax
            ),
        ),  # fmt: skip
        ("plot_speed_histogram", lambda ax: P.plot_speed_histogram(tr.speed, motion, ax=ax)),
        (
            "plot_turn_histogram",
            lambda ax: P.plot_turn_histogram(tr.turn / motion.dt, motion, ax=ax),
        ),
        ("plot_occupancy", lambda ax: P.plot_occupancy(occupancy(tr, 8, motion), ax=ax)),
        ("plot_decoded_path", lambda ax: P.plot_decoded_path(path, 1, ax=ax)),
        ("plot_architecture", lambda ax: P.plot_architecture(cfg, ax=ax)),
        ("plot_grid_fraction", lambda ax: P.plot_grid_fraction(rows, ax=ax)),
        (
            "plot_gradient_histogram",
            lambda ax: P.plot_gradient_histogram({"a": np.array([1e-7, 1e-4])}, ax=ax),
        ),  # fmt: skip
        ("plot_update_sizes", lambda ax: P.plot_update_sizes({"x": np.ones(3)}, 1.0, ax=ax)),
        # The volume's flat panels.
        ("plot_sac_slice", lambda ax: P.plot_sac_slice(rng.random((5, 5, 5)), ax=ax)),
        (
            "plot_q6_histogram",
            lambda ax: P.plot_q6_histogram(
                np.array([0.3, 0.55, np.nan]), rng.random(20), 0.5, ax=ax
            ),
        ),  # fmt: skip
        (
            "plot_stability",
            lambda ax: P.plot_stability({125: rng.random(6), 500: rng.random(6)}, ax=ax),
        ),
        ("plot_axis_fractions", lambda ax: P.plot_axis_fractions(fractions, ax=ax)),
        ("plot_period_vs_sigma", lambda ax: P.plot_period_vs_sigma(periods, ax=ax)),
        ("plot_module_scales", lambda ax: P.plot_module_scales(networks, ax=ax)),
        (
            "plot_slice_scales",
            lambda ax: P.plot_slice_scales(
                np.arange(8),
                np.r_[0.6 * np.ones(4), 0.9 * np.ones(4)],
                np.arange(8) // 4,
                scale_modules.cluster_scales(np.r_[0.6 * np.ones(4), 0.9 * np.ones(4)]),
                ax=ax,
            ),
        ),  # fmt: skip
        # A sweep's tables.
        ("plot_sweep", lambda ax: P.plot_sweep(trials, "grid_fraction_037", ax=ax)),
        ("plot_curves", lambda ax: P.plot_curves(curves, ax=ax)),
        ("plot_error_vs_grid", lambda ax: P.plot_error_vs_grid(trials, ax=ax)),
        # Learnt agents over seeds.
        ("plot_learning_curves", lambda ax: P.plot_learning_curves(agent_curves, ax=ax)),
        ("plot_seed_success", lambda ax: P.plot_seed_success(agent_success, ax=ax)),
        ("plot_agent_lesions", lambda ax: P.plot_agent_lesions(agent_lesions, ax=ax)),
        # Find-then-return agents.
        ("plot_drift", lambda ax: P.plot_drift(drift, tolerance_cm=20, ax=ax)),
        ("plot_goal_curves", lambda ax: P.plot_goal_curves(goal_curves, ax=ax)),
        ("plot_goals_by_seed", lambda ax: P.plot_goals_by_seed(goal_results, ax=ax)),
    ]


SINGLE = _single_panel_calls()


def test_every_single_panel_plot_is_covered():
    names = {name for name, _ in SINGLE}
    public = {n for n in P.__all__ if n.startswith("plot_") or n == "draw_box"}
    multi = {
        "plot_ratemaps_and_sacs", "plot_ratemap_grid", "plot_box_maps", "plot_ring_masks",
        "plot_rotations", "plot_emergence", "plot_training_curves",
        "plot_motion_fit", "plot_real_vs_simulated",  # tests/test_plots_real_rats.py
        "plot_paths_3d", "plot_map_slices", "plot_level_set",  # 3-D axes or several panels:
        "plot_unit_volumes",  # tests/test_plots_volume.py
        "plot_unit",  # tests/test_plots_colours.py
        "plot_barcodes",  # tests/test_plots_topology.py
        "plot_census",  # tests/test_plots_census.py
        "plot_experiment", "plot_error_vs_grid_by_sweep",  # tests/test_plots_sweeps.py
        "plot_learning_curves_by_network", "plot_agent_lesions_by_network",  # test_plots_agents
    }  # fmt: skip
    assert public - multi == names


@pytest.mark.parametrize("call", [c for _, c in SINGLE], ids=[n for n, _ in SINGLE])
def test_single_panel_plot_makes_axes_when_none(call):
    ax = call(None)
    assert isinstance(ax, Axes) and isinstance(ax.figure, Figure)
    assert ax.has_data() or ax.patches or ax.texts or ax.images


@pytest.mark.parametrize("call", [c for _, c in SINGLE], ids=[n for n, _ in SINGLE])
def test_single_panel_plot_draws_into_given_axes(call):
    fig = Figure(layout="constrained")
    given = fig.subplots(1, 2)[1]
    assert call(given) is given
    assert given.has_data() or given.patches or given.texts or given.images
    assert not fig.axes[0].has_data()


def test_ax_is_the_last_parameter():
    import inspect

    for name, _ in SINGLE:
        params = list(inspect.signature(getattr(P, name)).parameters)
        assert params[-1] == "ax", f"{name}: ax is not last ({params})"
        assert params[0] != "ax", name


def test_multi_panel_figures_take_axes_or_fig():
    maps = _maps()
    res = S.score_ratemaps(maps)
    fig = Figure()
    sub = fig.subfigures(1, 2)
    assert P.plot_ratemap_grid(maps[:3], fig=sub[0]) is sub[0]
    assert P.plot_ring_masks(16, fig=sub[1]) is sub[1]
    fig = Figure()
    axes = fig.subplots(1, 3)
    assert P.unit_panel(maps, res, 0, axes=axes) is fig
    rows = [{"step": 1, "loss": 1.0, "place_loss": 0.5, "hd_loss": 0.5,
             "position_error_cm": 9.0, "heading_error_deg": 9.0}]  # fmt: skip
    assert P.plot_training_curves(rows, axes=axes) is fig
    corr, _ = S.rotation_correlations(res.sacs[:1])
    rot = Figure().subplots(1, len(S.ANGLES) + 1)
    assert P.plot_rotations(res.sacs[0], S.ring_masks(16)[0], corr[0, 0], axes=rot) is rot[0].figure


def test_paper_numbers_come_from_paper():
    ax = P.plot_grid_fraction([{"step": 1, "grid_fraction_037": 0.1, "grid_fraction_080": 0.0}])
    assert any(np.allclose(ln.get_ydata(), 100 * GRID_FRACTION) for ln in ax.get_lines())
    clusters = scale_modules.cluster_scales(np.r_[0.5, 0.52, 0.7, 0.71, 0.72])
    ax = P.plot_scale_clusters(clusters)
    xs = {round(float(ln.get_xdata()[0]), 6) for ln in ax.get_lines() if ln.get_linestyle() == ":"}
    assert xs == {round(100 * m, 6) for m in MODULE_SCALES_M}
    ax = P.plot_architecture(replace(get_preset("fast"), core="gru"))
    assert "GRU" in " ".join(t.get_text() for t in ax.texts)


def test_decoder_label_names_gridcore():
    ens = Ensembles.create()
    ax = P.plot_decoding_vs_sigma(decoding_errors_vs_sigma(ens.place, [0.01], n_positions=10))
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "DeepMind" not in " ".join(labels) and "gridcore" in labels[0]
