"""gridcore.sweeps.names: conditions in plain words."""


def test_plain_names_spell_out_conditions():
    from gridcore.sweeps.names import plain_name

    assert plain_name("sigma 10 cm") == "place cells 10 cm wide"
    assert plain_name("tf1_rmsprop no clip lr 3e-3") == "TF1 RMSProp without the clip at lr 3e-3"
    assert plain_name("bottleneck 64") == "a bottleneck of 64"
    assert plain_name("torch_rmsprop") == "PyTorch RMSProp"
    assert plain_name("batch 50") == "batch 50"


def test_sweep_names_are_words_for_every_shipped_sweep():
    from gridcore import shipped
    from gridcore.sweeps.names import SWEEP_NAMES, sweep_name

    assert sweep_name("grid-scale") == "rat speed & targets"
    assert sweep_name("my-sweep") == "my-sweep"
    assert set(shipped.sweeps()) <= set(SWEEP_NAMES)
    assert len(set(SWEEP_NAMES.values())) == len(SWEEP_NAMES)  # no two sweeps read the same


def test_short_names_fit_a_tick_label():
    from gridcore.sweeps.names import SHORT_NAMES, short_name

    assert short_name("hidden 128, bottleneck 256") == "bottleneck of 256"
    assert short_name("paper rat") == "paper's rat"  # the plain name without its article
    assert short_name("sigma 5 cm") == "place cells 5 cm wide"
    assert short_name("batch 50") == "batch 50"
    assert all(len(short_name(c)) <= 30 for c in SHORT_NAMES)


def test_the_fitted_rat_is_not_called_the_real_rat():
    from gridcore.sweeps.names import plain_name

    assert plain_name("real rat") == "the rat fitted to the real recording"
