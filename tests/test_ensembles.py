import math

import numpy as np
import pytest
import torch

from gridcore.world.ensembles import Ensembles, centre_streams
from gridcore.world.trajectories import simulate


@pytest.fixture(scope="module")
def ens():
    return Ensembles.create()


def test_sizes_and_deepmind_seeding(ens):
    """DeepMind seeds each ensemble with its own fresh RandomState(8341)."""
    assert ens.place.n_cells == 256 and ens.hd.n_cells == 12 and ens.init_size == 268
    pc = np.random.RandomState(8341).uniform(-1.1, 1.1, size=(256, 2))
    hd = np.random.RandomState(8341).uniform(-math.pi, math.pi, size=12)
    np.testing.assert_allclose(ens.place.centres.numpy(), pc, rtol=1e-6)
    np.testing.assert_allclose(ens.hd.centres.numpy(), hd, rtol=1e-6)


def test_shared_stream_seeding_draws_head_directions_after_places():
    shared = Ensembles.create(rng="shared")
    rs = np.random.RandomState(8341)
    rs.uniform(-1.1, 1.1, size=(256, 2))
    hd = rs.uniform(-math.pi, math.pi, size=12)
    np.testing.assert_allclose(shared.hd.centres.numpy(), hd, rtol=1e-6)
    assert not np.allclose(shared.hd.centres.numpy(), Ensembles.create().hd.centres.numpy())


def test_ensembles_fill_the_box_they_are_given():
    ens = Ensembles.create(box_width=1.0, box_height=0.5)
    c = ens.place.centres.numpy()
    assert np.abs(c[:, 0]).max() <= 0.5 and np.abs(c[:, 1]).max() <= 0.25
    assert np.abs(c[:, 0]).max() > 0.45 and np.abs(c[:, 1]).max() > 0.2


def test_place_cells_are_normalised_gaussian_softmax(ens):
    pos = torch.rand(50, 2) * 2.2 - 1.1
    act = ens.place.activations(pos)
    torch.testing.assert_close(act.sum(-1), torch.ones(50))
    assert (act >= 0).all()
    # Against the definition computed directly in float64.
    d2 = ((pos[:, None].double() - ens.place.centres[None].double()) ** 2).sum(-1)
    want = torch.softmax(-d2 / (2 * 0.01**2), -1)
    torch.testing.assert_close(act.double(), want, atol=2e-3, rtol=0)
    # sigma = 1 cm: the nearest cell takes (almost) everything.
    assert (act.argmax(-1) == d2.argmin(-1)).all()


def test_wide_place_cells_match_definition():
    ens = Ensembles.create(sigma=0.3)
    pos = torch.rand(20, 2) * 2.2 - 1.1
    d2 = ((pos[:, None] - ens.place.centres[None]) ** 2).sum(-1)
    torch.testing.assert_close(ens.place.activations(pos), torch.softmax(-d2 / 0.18, -1))


def test_difference_of_softmaxes():
    ens = Ensembles.create(sigma=0.12, kind="dog")
    act = ens.place.activations(torch.zeros(1, 2))
    torch.testing.assert_close(act.sum(-1), torch.ones(1))
    assert (act >= 0).all()
    d = ens.place.centres.norm(dim=-1)
    # Centre-surround: the closest cell is the most active; cells at the surround are below
    # the far-away baseline.
    assert act[0, d.argmin()] == act.max()
    ring = (d > 0.15) & (d < 0.3)
    far = d > 1.0
    assert act[0, ring].min() < act[0, far].mean()


def test_head_direction_von_mises(ens):
    phi = torch.tensor([0.3, -2.0])
    act = ens.hd.activations(phi)
    want = torch.softmax(20 * torch.cos(phi[:, None] - ens.hd.centres[None]), -1)
    torch.testing.assert_close(act, want)
    torch.testing.assert_close(act.sum(-1), torch.ones(2))


def test_decoding_round_trip(ens):
    tr = simulate(20, 50, generator=torch.Generator().manual_seed(0))
    place, hd = ens.targets(tr)
    pos = ens.place.decode(place)
    # Decoding the true targets lands within the place-cell spacing (~14 cm) of the truth.
    err = (pos - tr.target_pos).norm(dim=-1)
    assert err.mean() < 0.15
    dec = ens.hd.decode(hd)
    herr = torch.remainder(dec - tr.target_hd + math.pi, 2 * math.pi) - math.pi
    # DeepMind's 12 random centres leave gaps of up to 118 degrees: top-3 decoding errs ~21 deg.
    assert herr.abs().mean() < math.radians(25)
    exact = ens.place.decode(ens.place.activations(ens.place.centres[:5]), k=1)
    torch.testing.assert_close(exact, ens.place.centres[:5])


def test_initial_code(ens):
    tr = simulate(4, 3, generator=torch.Generator().manual_seed(0))
    code = ens.initial_code(tr)
    assert code.shape == (4, 268)
    torch.testing.assert_close(code[:, :256].sum(-1), torch.ones(4))
    torch.testing.assert_close(code[:, 256:].sum(-1), torch.ones(4))


def test_bad_arguments():
    with pytest.raises(ValueError, match="kind"):
        Ensembles.create(kind="box")
    with pytest.raises(ValueError, match=">= 1"):
        Ensembles.create(n_place=0)
    with pytest.raises(ValueError, match="got 64, 12, 0"):
        Ensembles.create(n_place=64, n_ensembles=0)
    with pytest.raises(ValueError, match="rng must be one of"):
        Ensembles.create(rng="global")


def test_centre_streams_are_fresh_per_ensemble_or_one_shared():
    separate = centre_streams(3, "separate", 2, (1,))
    assert separate[0] is not separate[1]
    assert separate[0].uniform() == separate[1].uniform()
    shared = centre_streams(3, "shared", 2, (1,))
    assert shared[0] is shared[1]


def test_box_positions_and_logits(ens):
    from gridcore.world.ensembles import box_positions, place_logits

    grid = box_positions(4)
    assert grid.shape == (4, 4, 2)
    torch.testing.assert_close(grid[0, 0], torch.tensor([-0.825, -0.825]))
    assert grid[1, 0, 0] > grid[0, 0, 0] and grid[0, 1, 1] > grid[0, 0, 1]  # [ix, iy]
    pos = torch.tensor([[0.3, -0.2]])
    torch.testing.assert_close(
        torch.softmax(place_logits(ens.place, pos), -1), ens.place.activations(pos)
    )
    # Far from the centres the softmax underflows to zeros; the logits still rank every cell.
    probs, logits = ens.place.activations(grid), place_logits(ens.place, grid)
    assert (probs == 0).any() and torch.isfinite(logits).all()


def test_decoding_errors_vs_sigma(ens):
    from gridcore.world.ensembles import centroid_decode, decoding_errors_vs_sigma

    res = decoding_errors_vs_sigma(ens.place, [0.005, 0.05, 1.0], n_positions=300)
    # Top-3 only uses the ranking of distances: the same at every sigma, a few cm.
    assert np.ptp(res["topk"]) < 1e-6 and 0.02 < res["topk"][0] < 0.1
    # The weighted centroid is drawn towards the middle of the box when sigma is wide.
    assert res["centroid"][2] > 3 * res["centroid"][1]
    one_hot = torch.zeros(1, ens.place.n_cells)
    one_hot[0, 7] = 1
    torch.testing.assert_close(centroid_decode(ens.place, one_hot)[0], ens.place.centres[7])


def test_several_place_ensembles_share_centres_and_widen_geometrically():
    """DeepMind draws every ensemble from its own RandomState(8341): same centres, own sigma."""
    multi = Ensembles.create(n_place=64, sigma=0.04, n_ensembles=3, sigma_ratio=2.0)
    assert [p.sigma for p in multi.places] == pytest.approx([0.04, 0.08, 0.16])
    assert all(torch.equal(p.centres, multi.place.centres) for p in multi.places)
    assert multi.n_place_total == 192 and multi.init_size == 192 + 12
    traj = simulate(3, 5, generator=torch.Generator().manual_seed(0))
    place_t, _ = multi.targets(traj)
    assert place_t.shape == (3, 5, 192)
    for block, cells in zip(multi.split_place(place_t), multi.places, strict=True):
        torch.testing.assert_close(block, cells.activations(traj.target_pos))
        torch.testing.assert_close(block.sum(-1), torch.ones(3, 5))
    assert multi.initial_code(traj).shape == (3, 204)
    # Positions are decoded from the first (narrowest) ensemble's columns.
    wide_scores = torch.cat([place_t[..., :64], -place_t[..., 64:]], dim=-1)
    torch.testing.assert_close(
        multi.place.decode(wide_scores), multi.place.decode(place_t[..., :64])
    )
    shared = Ensembles.create(n_place=64, n_ensembles=2, rng="shared")
    assert not torch.equal(shared.places[0].centres, shared.places[1].centres)


def test_standardised_initial_code_is_each_ensembles_code_at_unit_scale():
    raw = Ensembles.create(n_place=64, sigma=0.08, kind="dog", n_ensembles=2)
    std = Ensembles.create(
        n_place=64, sigma=0.08, kind="dog", n_ensembles=2, init_code="standardised"
    )
    tr = simulate(5, 3, generator=torch.Generator().manual_seed(1))
    code, ref = std.initial_code(tr), raw.initial_code(tr)
    assert code.shape == ref.shape == (5, 2 * 64 + 12)
    for block, raw_block in zip(
        std.split_place(code[:, :128]), raw.split_place(ref[:, :128]), strict=True
    ):
        torch.testing.assert_close(block.mean(-1), torch.zeros(5), atol=1e-6, rtol=0)
        torch.testing.assert_close(block.std(-1, unbiased=False), torch.ones(5))
        # The same code up to a shift and a scale at each start position.
        centred = raw_block - raw_block.mean(-1, keepdim=True)
        torch.testing.assert_close(block * centred.std(-1, unbiased=False, keepdim=True), centred)
    torch.testing.assert_close(code[:, 128:], ref[:, 128:])  # head direction as it was
    # Targets are untouched, and the setting survives a move to another device.
    torch.testing.assert_close(std.targets(tr)[0], raw.targets(tr)[0])
    assert std.to("cpu").init_code == "standardised"
    with pytest.raises(ValueError, match="init_code"):
        Ensembles.create(init_code="scaled")
