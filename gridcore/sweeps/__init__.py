"""Sweeps: train many networks (grid points x cases x seeds) on Ray Tune, into one results table.

A sweep is described by a YAML spec::

    preset: quick              # base preset
    set: {dropout: 0.5}        # fixed overrides (optional)
    grid:                      # cartesian product over config fields (optional)
      batch_size: [10, 50, 200]
    cases:                     # or/and named settings that are not a product (optional)
      adam: {optimizer: adam, lr: 1.0e-4}
    seeds: [0, 1, 2]           # or an integer N for 0..N-1
    steps: 8000                # optional; the preset's own by default
    score_every: 1000          # steps between scorings (0: at the end only)
    score_trajectories: 1000   # fresh trajectories behind each scoring
    reuse: [headline-quick]    # sibling sweeps whose finished trials with the very same config
                               # and seed are taken over instead of trained again (optional)

:func:`load_spec` checks it against :class:`~gridcore.net.config.TrainConfig` before anything runs.
:func:`run` trains every (grid point x case x seed) as one Ray Tune trial, each with gridcore's own
loop into ``DIR/trials/<trial>/`` (an ordinary run directory), and keeps ``DIR/results.csv``
(one row per finished trial) and ``DIR/curves.csv`` (every metric at every scoring, long form)
up to date as trials finish. Each trial's outcome is saved in its run directory
(``sweep_trial.json``), so rerunning the same command skips finished trials and resumes
unfinished ones from their last checkpoint. :func:`load` reads the table back
(``gridcore.plots.plot_sweep`` draws a metric against the conditions, every seed a point).
:func:`load_all` reads every shipped sweep into one table, each network once;
:func:`error_vs_grid` asks whether position error goes with the grid-unit fraction.

Ray is optional (``pip install 'gridcore[sweeps]'``) and imported only when trials must run.

The package: :mod:`~gridcore.sweeps.spec` (the YAML), :mod:`~gridcore.sweeps.trials` (one
trial), :mod:`~gridcore.sweeps.tables` (the tables), :mod:`~gridcore.sweeps.runner`
(the directory and Ray), :mod:`~gridcore.sweeps.summary` (statistics over seeds).
"""

from __future__ import annotations

from gridcore.sweeps.answers import (
    QUESTIONS,
    answer,
    answers_table,
    correlation_answer,
    experiments_table,
    level_answer,
    question_answer,
    ranking,
)
from gridcore.sweeps.runner import SweepRun, main, run
from gridcore.sweeps.spec import RESULT_COLUMNS, Spec, Trial, load_spec, spec_from_dict
from gridcore.sweeps.summary import (
    best_per_family,
    comparison,
    condition_effect,
    conditions,
    effect_sentence,
    effects,
    error_vs_grid,
    error_vs_grid_table,
    finished,
    headline,
    headline_table,
    seed_median,
    select_conditions,
    spread,
    time_to_level,
    verdict,
)
from gridcore.sweeps.tables import (
    load,
    load_all,
    load_curves,
    progress,
    snapshot_curves,
    trial_run_dir,
    with_loss_terms,
    write_tables,
)
from gridcore.sweeps.trials import read_trial, run_pack, run_trial

__all__ = [
    "QUESTIONS",
    "answer",
    "answers_table",
    "correlation_answer",
    "experiments_table",
    "level_answer",
    "question_answer",
    "ranking",
    "RESULT_COLUMNS",
    "Spec",
    "SweepRun",
    "Trial",
    "best_per_family",
    "comparison",
    "condition_effect",
    "conditions",
    "effect_sentence",
    "effects",
    "error_vs_grid",
    "error_vs_grid_table",
    "finished",
    "select_conditions",
    "load",
    "load_all",
    "load_curves",
    "headline",
    "headline_table",
    "load_spec",
    "main",
    "progress",
    "snapshot_curves",
    "read_trial",
    "run",
    "run_pack",
    "run_trial",
    "spec_from_dict",
    "seed_median",
    "spread",
    "time_to_level",
    "trial_run_dir",
    "with_loss_terms",
    "verdict",
    "write_tables",
]
