"""Maps are drawn with a perceptual colour map and carry colour bars; decoded paths are coloured
by time with a colour bar; the error-against-time legend hides none of the paper's stars."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from gridcore import plots as P  # noqa: E402
from gridcore.paper import PATH_ERROR_15S_CM  # noqa: E402
from gridcore.plots._common import NORMALISED_LABEL, SAC_LABEL, normalised  # noqa: E402
from gridcore.scoring import scores as S  # noqa: E402

PERCEPTUAL = {"viridis", "magma", "inferno", "plasma", "cividis"}


def _maps() -> np.ndarray:
    rng = np.random.default_rng(0)
    maps = rng.normal(size=(6, 12, 12)).cumsum(axis=1)
    maps[0, :2, :2] = np.nan
    return maps


def _colorbars(fig) -> list:
    return [a for a in fig.axes if a.get_label() == "<colorbar>"]


def _bar_labels(fig) -> list[str]:
    return [a.get_ylabel() or a.get_xlabel() for a in _colorbars(fig)]


def _image_cmaps(fig) -> set[str]:
    return {im.get_cmap().name for a in fig.axes for im in a.images}


def test_normalised_spans_zero_to_one_and_keeps_nan():
    m = np.array([[1.0, 3.0], [np.nan, 2.0]])
    out = normalised(m)
    assert np.nanmin(out) == 0 and np.nanmax(out) == 1 and np.isnan(out[1, 0])
    assert np.all(normalised(np.ones((2, 2))) == 0)
    assert np.isnan(normalised(np.full((2, 2), np.nan))).all()


def test_ratemaps_and_sacs_have_two_colour_bars_and_viridis():
    maps = _maps()
    res = S.score_ratemaps(maps)
    fig = P.plot_ratemaps_and_sacs(maps, res, n=6, ncols=3)
    assert sorted(_bar_labels(fig)) == sorted([NORMALISED_LABEL, SAC_LABEL])
    assert _image_cmaps(fig) <= PERCEPTUAL
    sac_clims = {im.get_clim() for a in fig.axes[1::2][:3] for im in a.images}
    assert (-1.0, 1.0) in sac_clims
    assert fig.get_figwidth() <= 10.0
    wide = P.plot_ratemaps_and_sacs(maps, res, n=6, ncols=8)  # 8 columns still fit in 10 in
    assert wide.get_figwidth() <= 10.0
    bare = P.plot_ratemaps_and_sacs(maps, res, n=6, ncols=3, colorbar=False)
    assert not _colorbars(bare)


def test_ratemap_grid_shares_one_normalised_colour_bar():
    maps = _maps()
    fig = P.plot_ratemap_grid(maps, ncols=3)
    assert _bar_labels(fig) == [NORMALISED_LABEL]
    assert _image_cmaps(fig) <= PERCEPTUAL
    assert {im.get_clim() for a in fig.axes for im in a.images} == {(0.0, 1.0)}
    fig = P.plot_ratemap_grid(list(maps[:2]), titles=["a", "b"], colorbar=None)
    assert not _colorbars(fig)


def test_box_maps_can_share_a_colour_bar():
    maps = _maps()
    assert not _colorbars(P.plot_box_maps(maps[:3]))
    assert len(_colorbars(P.plot_box_maps(maps[:3], colorbar=True))) == 3
    fig = P.plot_box_maps(maps[:3], colorbar="rate")
    assert _bar_labels(fig) == ["rate"]


def test_unit_panel_and_sac_have_colour_bars():
    maps = _maps()
    res = S.score_ratemaps(maps)
    fig = P.unit_panel(maps, res, 0)
    assert sorted(_bar_labels(fig)) == sorted(["activity", SAC_LABEL])
    assert _image_cmaps(fig) <= PERCEPTUAL
    ax = P.plot_sac(res.sacs[0], colorbar=SAC_LABEL)
    assert _bar_labels(ax.figure) == [SAC_LABEL]
    assert not _colorbars(P.plot_sac(res.sacs[0]).figure)


def test_rotations_fit_and_share_a_colour_bar():
    maps = _maps()
    res = S.score_ratemaps(maps)
    corr, _ = S.rotation_correlations(res.sacs[:1])
    fig = P.plot_rotations(res.sacs[0], S.ring_masks(12)[5], corr[0, 5])
    assert fig.get_figwidth() <= 10.0
    assert _bar_labels(fig) == [SAC_LABEL]
    assert _image_cmaps(fig) <= PERCEPTUAL


@pytest.mark.parametrize(
    "draw",
    [
        lambda m: P.plot_real_vs_simulated(m, m, units=[0, 1]),
        lambda m: P.plot_map_slices(np.stack([m[0]] * 4, axis=2), n_slices=2),
        lambda m: P.plot_sac_slice(np.ones((5, 5, 5))).figure,
        lambda m: P.plot_activity_along_paths(np.zeros((5, 2)), np.arange(5.0)).figure,
    ],
    ids=["real_vs_simulated", "map_slices", "sac_slice", "activity_along_paths"],
)
def test_other_maps_are_perceptual(draw):
    fig = draw(_maps())
    cmaps = _image_cmaps(fig) | {
        c.get_cmap().name for a in fig.axes for c in a.collections if c.get_array() is not None
    }
    assert cmaps and cmaps <= PERCEPTUAL


class _Path:
    times_s = np.arange(1, 51) * 0.1
    init_pos = np.zeros((1, 2))
    true_pos = np.linspace(0, 0.8, 100).reshape(1, 50, 2)
    decoded_pos = true_pos + 0.02
    errors_cm = 100 * np.full((1, 50), 0.028)
    mean_error_cm = errors_cm[0]
    sem_error_cm = np.zeros(50)

    def true_path(self, i):
        return np.concatenate([self.init_pos[i][None], self.true_pos[i]])


def test_real_vs_simulated_fits_ten_inches():
    maps = np.random.default_rng(0).random((10, 6, 6))
    assert P.plot_real_vs_simulated(maps, maps, units=range(8)).get_figwidth() <= 10.0


def test_decoded_path_colours_true_and_decoded_by_time():
    ax = P.plot_decoded_path(_Path(), 0)
    coloured = [c for c in ax.collections if c.get_array() is not None]
    assert len(coloured) == 2  # the true path (a line) and the decoded dots
    assert {c.get_cmap().name for c in coloured} == {"viridis"}
    assert {c.norm.vmin for c in coloured} == {0.0}
    assert {c.norm.vmax for c in coloured} == {float(_Path.times_s[-1])}
    assert _bar_labels(ax.figure) == ["time (s)"]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "true path" in labels and "decoded" in labels
    assert not _colorbars(P.plot_decoded_path(_Path(), 0, colorbar=None).figure)


def test_error_legend_is_outside_the_axes():
    ax = P.plot_error_vs_time({"trained": _Path()}, paper=PATH_ERROR_15S_CM)
    fig = ax.figure
    assert isinstance(fig, Figure)
    fig.canvas.draw()
    legend = ax.get_legend().get_window_extent()
    axes_box = ax.get_window_extent()
    assert legend.x0 >= axes_box.x1  # right of the axes: no star or curve under it
    stars = [ln for ln in ax.get_lines() if ln.get_marker() == "*"]
    assert [float(ln.get_ydata()[0]) for ln in stars] == list(PATH_ERROR_15S_CM.values())
    inside = P.plot_error_vs_time({"trained": _Path()}, legend="upper left")
    assert inside.get_legend() is not None


def test_one_unit_shows_its_map_and_sac_side_by_side_with_colour_bars():
    maps = _maps()
    res = S.score_ratemaps(maps)
    fig = P.plot_unit(maps, res, 2)
    assert sorted(_bar_labels(fig)) == sorted(["mean activity", SAC_LABEL])
    assert _image_cmaps(fig) <= PERCEPTUAL
    panels = [a for a in fig.axes if a.get_label() != "<colorbar>"]
    assert len(panels) == 2 and "unit 2" in panels[0].get_title()
    assert f"{res.grid_score_60[2]:.2f}" in panels[1].get_title()
    assert fig.get_figwidth() <= 10.0


def test_legible_legends_sets_every_legend_of_a_figure():
    fig = Figure()
    a, b = fig.subplots(1, 2)
    a.plot([0, 1], label="one")
    a.legend(fontsize=6)
    b.plot([0, 1])  # no legend: left alone
    b.plot([1, 0], label="two")
    fig.legend(handles=b.get_lines()[1:], fontsize=6)
    assert P.legible_legends(fig, size=11) is None
    texts = [t for t in a.get_legend().get_texts()] + [t for t in fig.legends[0].get_texts()]
    assert [t.get_fontsize() for t in texts] == [11, 11]


def test_power_of_ten_reads_like_print():
    assert P.power_of_ten(1e-5) == "10⁻⁵"
    assert P.power_of_ten(3e-4) == "3 × 10⁻⁴"
    assert P.power_of_ten(100.0) == "10²"
