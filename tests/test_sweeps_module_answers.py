"""gridcore.sweeps.module_answers: grid modules in one sentence."""

import pandas as pd


def _module_summary(meets: dict[str, bool]) -> pd.DataFrame:
    return pd.DataFrame(
        {"seeds": 5, "seeds with modules": [3 if m else 1 for m in meets.values()],
         "meets target": list(meets.values())},
        index=list(meets),
    )  # fmt: skip


def test_two_modules_answer_names_the_settings_that_hold_them():
    from gridcore.sweeps.module_answers import two_modules_answer

    text = two_modules_answer(
        _module_summary({"sliced": False, "shared": False, "sliced 6+14 cm": True})
    )
    assert text == (
        "Mostly not: of the 2 settings that read each ensemble out from its own half of the "
        "bottleneck, only the sliced 6 + 14 cm setting holds two modules in networks that learnt the task (3 of 5 "
        "seeds); with one read-out shared by both ensembles, 1 of 5 seeds shows them."
    )
    none = two_modules_answer(_module_summary({"sliced": False}))
    assert none == (
        "No: of 1 setting that read each ensemble out from its own half of the bottleneck, none "
        "holds two modules in networks that learnt the task."
    )
    assert two_modules_answer(pd.DataFrame()).startswith("Not known yet")
