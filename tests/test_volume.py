import math

import pytest
import torch

from gridcore.world.volume import (
    VOLUME_MOTIONS,
    VolumeMotion,
    VolumeStream,
    _avoid_faces,
    direction,
    get_volume_motion,
    simulate_volume,
    volume_occupancy,
    volume_statistics,
)


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_shapes():
    tr = simulate_volume(7, 33, "paper", generator=gen())
    assert tr.init_pos.shape == (7, 3) and tr.init_hd.shape == (7, 3)
    assert tr.velocity.shape == (7, 33, 5)
    assert tr.target_pos.shape == (7, 33, 3) and tr.target_hd.shape == (7, 33, 3)
    assert tr.full_path().shape == (7, 34, 3)
    assert len(tr[2:5]) == 3


@pytest.mark.parametrize("name", sorted(VOLUME_MOTIONS))
def test_never_leaves_the_cube_and_fills_it(name):
    tr = simulate_volume(400, 200, name, generator=gen(1))
    half = get_volume_motion(name).edge / 2
    assert tr.target_pos.abs().max() <= half + 1e-6
    occ = volume_occupancy(tr, nbins=4, params=name)
    assert occ.min() > 0.25 / 64  # every eighth of each axis is visited


@pytest.mark.parametrize("name", sorted(VOLUME_MOTIONS))
def test_inputs_integrate_to_the_path(name):
    """speed x dt along the new heading is each displacement; the yaw and pitch changes carry
    one heading to the next; the headings are unit vectors."""
    tr = simulate_volume(50, 100, name, generator=gen(2))
    p = get_volume_motion(name)
    path = tr.full_path()
    torch.testing.assert_close(
        path[:, 1:] - path[:, :-1], tr.speed[..., None] * p.dt * tr.target_hd, atol=1e-5, rtol=1e-4
    )
    torch.testing.assert_close(tr.target_hd.norm(dim=-1), torch.ones(50, 100))
    hd = torch.cat([tr.init_hd[:, None], tr.target_hd], 1)
    yaw = torch.atan2(hd[..., 1], hd[..., 0])
    pitch = torch.asin(hd[..., 2].clamp(-1, 1))
    torch.testing.assert_close(
        direction(yaw[:, :-1] + tr.yaw_turn, pitch[:, :-1] + tr.pitch_turn),
        tr.target_hd,
        atol=1e-4,
        rtol=0,
    )
    assert pitch.abs().max() <= p.pitch_max + 1e-5


def test_statistics_match_the_parameters_away_from_the_faces():
    """In a cube too large to meet a face, the speeds are Rayleigh(scale) and the yaw and pitch
    velocities have the s.d. asked for."""
    p = VolumeMotion(speed_scale=0.2, turn_sigma=3.0, pitch_sigma=1.0, edge=1000.0)
    tr = simulate_volume(2000, 100, p, generator=gen(3), dtype=torch.float64)
    stats = volume_statistics(tr, p)
    assert stats["mean_speed"] == pytest.approx(p.mean_speed, rel=0.01)
    assert stats["median_speed"] == pytest.approx(0.2 * math.sqrt(2 * math.log(2)), rel=0.02)
    assert stats["yaw_rate_sd"] == pytest.approx(3.0, rel=0.02)
    assert stats["pitch_rate_sd"] == pytest.approx(1.0, rel=0.02)
    assert stats["border_fraction"] == 0


def test_faces_are_avoided_and_slow_the_animal():
    tr = simulate_volume(500, 200, "sorscher", generator=gen(4))
    stats = volume_statistics(tr, "sorscher")
    p = get_volume_motion("sorscher")
    assert 0 < stats["border_fraction"] < 0.6
    assert stats["mean_speed"] < p.mean_speed


def test_near_a_face_and_heading_to_it_the_turn_makes_the_path_parallel():
    p = get_volume_motion("sorscher")
    half = p.edge / 2
    pos = torch.tensor(
        [
            [half - 0.01, 0.0, 0.0],
            [0.0, -half + 0.01, 0.0],
            [0.0, 0.0, -half + 0.01],
            [0.0, 0.0, half - 0.01],
            [0.0, 0.0, 0.0],
        ]
    )
    yaw = torch.tensor([0.2, -1.0, 0.3, 0.3, 0.0])
    pitch = torch.tensor([0.1, 0.0, -0.5, -0.5, -0.5])
    dyaw, dpitch, near = _avoid_faces(pos, yaw, pitch, half, p)
    assert near.tolist() == [True, True, True, False, False]  # the ceiling is behind it
    new = direction(yaw + dyaw, pitch + dpitch)
    normals = torch.tensor([[1.0, 0, 0], [0, -1.0, 0], [0, 0, -1.0]])
    torch.testing.assert_close((new[:3] * normals).sum(-1), torch.zeros(3), atol=1e-6, rtol=0)


def test_stream_is_reproducible_and_resumable():
    a = VolumeStream(4, 10, "sorscher", seed=3, chunk_batches=3)
    b = VolumeStream(4, 10, "sorscher", seed=3, chunk_batches=3)
    torch.testing.assert_close(a.batch(4).velocity, b.batch(4).velocity)
    assert not torch.equal(a.batch(0).velocity, a.batch(1).velocity)
    c = VolumeStream(4, 10, "sorscher", seed=4, chunk_batches=3)
    assert not torch.equal(a.batch(0).velocity, c.batch(0).velocity)


def test_bad_parameters():
    with pytest.raises(ValueError, match="pitch_max"):
        VolumeMotion(0.1, 1.0, 1.0, pitch_max=2.0)
    with pytest.raises(ValueError, match="unknown motion"):
        get_volume_motion("bat")
