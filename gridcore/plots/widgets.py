"""One unit at a glance, and browsers over the units: a three-panel figure, an HTML table of a
unit's scores, and ipywidgets that page through units (a live browser and a pre-rendered
gallery for static pages). ipywidgets is imported only when a widget is built."""

from __future__ import annotations

import html
import io

import numpy as np
from matplotlib.figure import Figure

from gridcore.plots._common import MAP_CMAP, SAC_LABEL, image, shared_colorbar
from gridcore.plots.scores import _units_by_score, plot_rotation_correlations, plot_sac
from gridcore.scoring.scores import GridScores, rotation_correlations


def unit_panel(
    maps: np.ndarray,
    scores: GridScores,
    unit: int,
    cmap: str = MAP_CMAP,
    axes=None,
    colorbar: bool = True,
) -> Figure:
    """Ratemap, SAC with the best 60-degree ring, and the ring's rotation correlations;
    ``axes``: three axes to draw into. ``colorbar``: the ratemap (activity) and the SAC
    (correlation, -1 to 1) each get a colour bar."""
    if axes is None:
        fig = Figure(figsize=(9.0, 2.7), layout="constrained")
        axes = fig.subplots(1, 3, width_ratios=[1, 1, 1.3])
    a, b, c = axes
    im = image(a, maps[unit], cmap)
    a.set_title(f"unit {unit}: ratemap", fontsize=9)
    plot_sac(scores.sacs[unit], tuple(scores.best_ring_60[unit]), cmap, ax=b)
    if colorbar:
        shared_colorbar(a.figure, im, [a], "activity")
        shared_colorbar(b.figure, b.images[0], [b], SAC_LABEL)
    b.set_title(f"SAC, 60° score {scores.grid_score_60[unit]:.2f}", fontsize=9)
    corr, _ = rotation_correlations(scores.sacs[unit : unit + 1])
    plot_rotation_correlations(corr[0, scores.best_mask_60[unit]], ax=c)
    c.set_ylim(-1.05, 1.05)
    c.set_title(f"best ring ({scores.best_mask_60[unit]})", fontsize=9)
    c.xaxis.label.set_fontsize(8)
    c.yaxis.label.set_fontsize(8)
    c.set_ylabel("corr. with rotated SAC")
    return a.figure


def _fmt(v: float, spec: str = ".2f", scale: float = 1.0, unit: str = "") -> str:
    return "–" if not np.isfinite(v) else f"{scale * v:{spec}}{unit}"


def unit_info_html(scores: GridScores, unit: int, other: GridScores | None = None) -> str:
    """An HTML table of one unit's scores, classification and geometry (``other``: the same
    maps scored in the other mode, shown alongside)."""
    rank = int(
        np.sum(np.nan_to_num(scores.grid_score_60, nan=-np.inf) > scores.grid_score_60[unit])
    )
    ring = scores.best_ring_60[unit]
    cm = 100 * scores.bin_size_m[0]
    rows = [
        ("rank by 60° score", f"{rank + 1} of {scores.n_units}"),
        (f"60° score ({scores.mode})", _fmt(scores.grid_score_60[unit])),
        (f"90° score ({scores.mode})", _fmt(scores.grid_score_90[unit])),
    ]
    if other is not None:
        rows += [
            (f"60° score ({other.mode})", _fmt(other.grid_score_60[unit])),
            (
                f"grid-like ({other.mode}, > {other.threshold:g})",
                "yes" if other.grid_like[unit] else "no",
            ),
        ]
    rows += [
        (
            f"grid-like ({scores.mode}, > {scores.threshold:g})",
            "yes" if scores.grid_like[unit] else "no",
        ),
        ("degenerate", scores.reason[unit] or "no"),
        (
            "best ring (bins)",
            f"{ring[0]:.1f}–{ring[1]:.1f} ({ring[0] * cm:.0f}–{ring[1] * cm:.0f} cm)",
        ),
        ("grid scale", _fmt(scores.scale_m[unit], ".0f", 100, " cm")),
        ("orientation", _fmt(scores.orientation_deg[unit], ".0f", 1, "°")),
        ("ellipticity", _fmt(scores.ellipticity[unit])),
        ("spacing CV", _fmt(scores.spacing_cv[unit])),
    ]
    cells = [
        f"<td style='padding:1px 6px'>{html.escape(k)}</td>"
        f"<td style='padding:1px 14px 1px 0'><b>{html.escape(v)}</b></td>"
        for k, v in rows
    ]
    if len(cells) % 2:
        cells.append("<td></td><td></td>")
    body = "".join(f"<tr>{a}{b}</tr>" for a, b in zip(cells[::2], cells[1::2], strict=True))
    return f"<table style='font-size:12px;line-height:1.3;margin:0'>{body}</table>"


def figure_png(fig: Figure, dpi: int = 80) -> bytes:
    """A figure rendered to PNG bytes (for ipywidgets.Image and static galleries)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def _unit_label(scores: GridScores, u: int) -> str:
    tag = (
        " (grid-like)"
        if scores.grid_like[u]
        else (f" ({scores.reason[u]})" if scores.reason[u] else "")
    )
    return f"unit {u}: {scores.grid_score_60[u]:.2f}{tag}"


def _image_layout():  # a fresh Layout each time; keeps the panel's aspect ratio
    import ipywidgets as W

    return W.Layout(width="100%", max_width="680px", height="auto", object_fit="contain")


def unit_browser(
    maps: np.ndarray,
    scores: GridScores,
    other: GridScores | None = None,
    units=None,
    dpi: int = 80,
):
    """An ipywidgets browser: pick a unit (menu, or slider over the rank by 60-degree score)
    and see its ratemap, SAC with the best ring, rotation correlations, scores and geometry.

    The panel is redrawn by a Python callback, so it follows the selection only with a live
    kernel; a static page shows the state it was saved in (see :func:`unit_gallery`). The outer
    box carries the CSS class ``gridcore-unit-browser``.
    """
    import ipywidgets as W

    order = _units_by_score(scores) if units is None else np.asarray(units)
    # No widget descriptions: the static html-manager typesets them with MathJax 2's API,
    # which fails on pages that load MathJax 3. Plain HTML labels instead.
    menu = W.Dropdown(
        options=[(_unit_label(scores, int(u)), int(u)) for u in order],
        value=int(order[0]),
        layout=W.Layout(width="300px"),
    )
    # The rank counts from 1, as the table's "rank 1 of n" does; the menu's index from 0.
    rank = W.IntSlider(value=1, min=1, max=len(order))
    picture = W.Image(format="png", layout=_image_layout())
    info = W.HTML()

    def show(change=None) -> None:
        u = menu.value
        picture.value = figure_png(unit_panel(maps, scores, u), dpi)
        info.value = unit_info_html(scores, u, other)

    def to_menu(change) -> None:
        menu.index = change["new"] - 1

    def to_rank(change) -> None:
        rank.value = change["new"] + 1

    rank.observe(to_menu, names="value")
    menu.observe(to_rank, names="index")
    menu.observe(show, names="value")
    show()
    controls = W.HBox([W.HTML("<b>unit</b>&nbsp;"), menu, W.HTML("&nbsp;<b>rank</b>&nbsp;"), rank])
    box = W.VBox([controls, picture, info])
    box.add_class("gridcore-unit-browser")
    return box


def unit_gallery(
    maps: np.ndarray,
    scores: GridScores,
    n: int = 12,
    other: GridScores | None = None,
    units=None,
    dpi: int = 72,
):
    """A pre-rendered version of :func:`unit_browser` for static pages: the panels of the top
    ``n`` units (or of ``units``) are drawn once and stacked; a row of buttons picks one. The
    buttons are linked to the stack in the browser (``jslink``), so this works with no kernel.
    The outer box carries the CSS classes ``gridcore-unit-browser`` and ``gridcore-unit-gallery``.
    """
    import ipywidgets as W

    order = (_units_by_score(scores)[:n] if units is None else np.asarray(units)).astype(int)
    pages = [
        W.VBox(
            [
                W.Image(
                    value=figure_png(unit_panel(maps, scores, u), dpi),
                    format="png",
                    layout=_image_layout(),
                ),
                W.HTML(unit_info_html(scores, u, other)),
            ]
        )
        for u in order
    ]
    stack = W.Stack(pages, selected_index=0)
    buttons = W.ToggleButtons(
        options=[f"#{u} ({scores.grid_score_60[u]:.2f})" for u in order],
        index=0,
        style={"button_width": "auto"},
    )
    W.jslink((buttons, "index"), (stack, "selected_index"))
    box = W.VBox([buttons, stack])
    box.add_class("gridcore-unit-browser")
    box.add_class("gridcore-unit-gallery")
    return box
