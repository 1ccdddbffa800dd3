import math

import numpy as np
import pytest
import torch

from gridcore.world.ensembles3d import (
    DirectionCells,
    VolumeEnsembles,
    angle_between,
    cube_positions,
    decoding_errors_3d,
)
from gridcore.world.volume import simulate_volume


def test_centres_fill_the_cube_and_the_sphere():
    ens = VolumeEnsembles.create(n_place=2000, n_hd=2000, edge=2.2)
    c = ens.place.centres
    assert c.shape == (2000, 3) and c.abs().max() <= 1.1
    torch.testing.assert_close(ens.hd.centres.norm(dim=-1), torch.ones(2000))
    # Uniform on the sphere: each coordinate has mean 0 and variance 1/3.
    assert ens.hd.centres.mean(0).abs().max() < 0.05
    torch.testing.assert_close(ens.hd.centres.var(0), torch.full((3,), 1 / 3), atol=0.03, rtol=0)


def test_seeding_matches_the_box_ensembles():
    """Place centres from RandomState(seed); directions from a fresh one, or after the places."""
    ens = VolumeEnsembles.create(n_place=16, n_hd=5, edge=2.0, seed=7)
    np.testing.assert_allclose(
        ens.place.centres.numpy(), np.random.RandomState(7).uniform(-1, 1, (16, 3)), rtol=1e-6
    )
    fresh = np.random.RandomState(7).normal(size=(5, 3))
    fresh /= np.linalg.norm(fresh, axis=1, keepdims=True)
    np.testing.assert_allclose(ens.hd.centres.numpy(), fresh, rtol=1e-5)
    shared = VolumeEnsembles.create(n_place=16, n_hd=5, edge=2.0, seed=7, rng="shared")
    assert torch.equal(shared.place.centres, ens.place.centres)
    assert not torch.allclose(shared.hd.centres, ens.hd.centres)
    with pytest.raises(ValueError, match="got 0, 5"):
        VolumeEnsembles.create(n_place=0, n_hd=5)
    with pytest.raises(ValueError, match="rng must be one of"):
        VolumeEnsembles.create(rng="global")


def test_codes_are_distributions_peaked_at_the_nearest_centre():
    ens = VolumeEnsembles.create(n_place=64, n_hd=20, sigma=0.2)
    tr = simulate_volume(5, 7, generator=torch.Generator().manual_seed(0))
    place, hd = ens.targets(tr)
    assert place.shape == (5, 7, 64) and hd.shape == (5, 7, 20)
    torch.testing.assert_close(place.sum(-1), torch.ones(5, 7))
    nearest = ens.place.squared_distances(tr.target_pos).argmin(-1)
    assert torch.equal(place.argmax(-1), nearest)
    assert torch.equal(hd.argmax(-1), (tr.target_hd @ ens.hd.centres.T).argmax(-1))
    assert ens.initial_code(tr).shape == (5, ens.init_size) and ens.init_size == 84


def test_vmf_tuning_falls_with_the_angle_and_decoding_recovers_directions():
    cells = DirectionCells(torch.eye(3), kappa=5.0)
    heading = torch.tensor([[1.0, 0.0, 0.0]])
    a = cells.activations(heading)[0]
    assert a[0] > a[1] == a[2]
    assert (a[0] / a[1]).item() == pytest.approx(math.exp(5.0), rel=1e-4)
    floors = decoding_errors_3d(VolumeEnsembles.create(n_place=512, n_hd=200))
    assert 0 < floors["direction_error_deg"] < 15
    assert 0 < floors["position_error_cm"] < 40


def test_angle_between():
    a = torch.tensor([[1.0, 0, 0], [0, 1.0, 0]])
    b = torch.tensor([[0, 1.0, 0], [0, 1.0, 0]])
    torch.testing.assert_close(angle_between(a, b), torch.tensor([math.pi / 2, 0.0]))


def test_cube_positions_and_device_copy():
    pos = cube_positions(4, edge=2.0)
    assert pos.shape == (4, 4, 4, 3)
    torch.testing.assert_close(pos[0, 0, 0], torch.tensor([-0.75, -0.75, -0.75]))
    ens = VolumeEnsembles.create(n_place=8, n_hd=4).to("cpu")
    assert isinstance(ens, VolumeEnsembles) and isinstance(ens.hd, DirectionCells)
