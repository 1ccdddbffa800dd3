"""A training-curve figure redrawn in place in a notebook while training runs."""

from __future__ import annotations

import io

from matplotlib.figure import Figure

from gridcore.plots.training import plot_grid_fraction, plot_training_curves


class LiveTrainingPlot:
    """An ``on_log`` callback for ``train.train`` that redraws loss and decoding-error curves
    in a notebook while training runs (one output, updated in place).

    ``redraw_every`` logged rows between redraws; the final state is drawn by ``close()``.
    ``floor_cm`` draws the decoding floor of the place code (cm) as a dashed line;
    ``show_grid`` adds the grid-unit fraction of the rows scored while training.
    """

    def __init__(
        self,
        total_steps: int,
        redraw_every: int = 1,
        floor_cm: float | None = None,
        show_grid: bool = False,
    ):
        from IPython.display import display

        self.rows: list[dict] = []
        self.total_steps, self.redraw_every, self.floor_cm = total_steps, redraw_every, floor_cm
        self.show_grid = show_grid
        # Two rows of two panels (9 in wide), so the text stays readable at the book's width;
        # without the grid panel the fourth stays empty.
        self.fig = Figure(figsize=(9, 6), layout="constrained")
        self.axes = list(self.fig.subplots(2, 2).ravel())
        if not show_grid:
            self.axes.pop().set_axis_off()
        self.handle = display(self._png(), display_id=True)

    def _png(self):
        from IPython.display import Image

        buf = io.BytesIO()
        self.fig.savefig(buf, format="png", dpi=90)
        return Image(buf.getvalue())

    def _draw(self) -> None:
        for ax in self.axes:
            ax.clear()
        plot_training_curves(self.rows, axes=self.axes[:3])
        if self.show_grid:
            plot_grid_fraction(self.rows, ax=self.axes[3])
        if self.floor_cm is not None:
            self.axes[1].axhline(self.floor_cm, color="0.5", ls="--", lw=0.8)
            self.axes[1].annotate("decoding floor", (0, self.floor_cm), xytext=(2, 3),
                                  textcoords="offset points", fontsize=8)  # fmt: skip
        for ax in self.axes:
            ax.set_xlim(0, self.total_steps)
        self.axes[1].set_ylim(bottom=0)
        self.axes[2].set_ylim(bottom=0)
        # Progress only: a single batch's loss and errors are noisy, so the values are read
        # from the panels (or averaged over several logged points) rather than quoted here.
        last = self.rows[-1]
        self.fig.suptitle(
            f"step {int(last['step']):,} of {self.total_steps:,}, {last['elapsed_s']:.0f} s",
            fontsize=10,
        )
        if self.handle is not None:
            self.handle.update(self._png())

    def __call__(self, row: dict) -> None:
        self.rows.append(row)
        if len(self.rows) % self.redraw_every == 0:
            self._draw()

    def close(self) -> None:
        if self.rows:
            self._draw()
