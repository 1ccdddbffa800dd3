"""Grid modules in one sentence: do the networks trained on two place-cell ensembles hold two
scale modules? Read from :func:`gridcore.sweeps.grid_modules.module_summary`'s table."""

from __future__ import annotations

import pandas as pd

from gridcore.formatting import count, join
from gridcore.sweeps.names import plain_name


def two_modules_answer(summary: pd.DataFrame, shared: str = "shared") -> str:
    """Do the two-ensemble networks hold two scale modules? One sentence from a module summary
    (:func:`gridcore.sweeps.grid_modules.module_summary`, one row per condition with its
    ``seeds``, ``seeds with modules`` and ``meets target``): which settings that read each
    ensemble out from its own half of the bottleneck hold them, and how many seeds of the
    ``shared`` read-out do."""
    if summary.empty:
        return "Not known yet: the modules sweeps have no results."

    def seeds(c) -> str:
        n = int(summary.loc[c, "seeds"])
        return f"{int(summary.loc[c, 'seeds with modules'])} of {count(n, 'seed')}"

    split = [c for c in summary.index if c != shared]
    held = [c for c in split if bool(summary.loc[c, "meets target"])]
    halves = f"{'the' if len(split) > 1 else ''} {count(len(split), 'setting')}".strip()
    if not held:
        text = (
            f"No: of {halves} that read each ensemble out from its own half of the bottleneck, none"
        )
        text += " holds two modules in networks that learnt the task"
    else:
        lead = (
            "Yes"
            if len(held) == len(split)
            else "Mostly"
            if 2 * len(held) > len(split)
            else "Mostly not"
        )
        verb = "holds" if len(held) == 1 else "hold"
        text = (
            f"{lead}: of {halves} that read each ensemble out from its own half of the "
            f"bottleneck, {'' if len(held) == len(split) else 'only '}the "
            f"{join(plain_name(c) for c in held)} setting{'' if len(held) == 1 else 's'} "
            f"{verb} two modules in networks that learnt the task "
            f"({'; '.join(seeds(c) for c in held)})"
        )
    if shared in summary.index:
        k = int(summary.loc[shared, "seeds with modules"])
        text += (
            f"; with one read-out shared by both ensembles, {seeds(shared)} "
            f"{'shows' if k == 1 else 'show'} them"
        )
    return text + "."
