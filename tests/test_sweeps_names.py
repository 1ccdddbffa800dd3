"""gridcore.sweeps.names: conditions in plain words."""


def test_plain_names_spell_out_conditions():
    from gridcore.sweeps.names import plain_name

    assert plain_name("sigma 10 cm") == "place cells 10 cm wide"
    assert plain_name("tf1_rmsprop no clip lr 3e-3") == "TF1 RMSProp without the clip at lr 3e-3"
    assert plain_name("bottleneck 64") == "a bottleneck of 64"
    assert plain_name("batch 50") == "batch 50"
