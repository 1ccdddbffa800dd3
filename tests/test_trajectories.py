import math

import pytest
import torch

from gridcore.world.trajectories import MOTION_PRESETS, TrajectoryStream, get_motion, simulate


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_shapes_and_types():
    tr = simulate(7, 33, "paper", generator=gen())
    assert tr.init_pos.shape == (7, 2)
    assert tr.init_hd.shape == (7,)
    assert tr.velocity.shape == (7, 33, 3)
    assert tr.target_pos.shape == (7, 33, 2)
    assert tr.target_hd.shape == (7, 33)
    assert tr.velocity_xy.shape == (7, 33, 2)
    assert tr.full_path().shape == (7, 34, 2)
    assert len(tr[2:5]) == 3 and tr[2:5].velocity_xy.shape == (3, 33, 2)


@pytest.mark.parametrize("name", sorted(MOTION_PRESETS))
def test_never_leaves_box(name):
    tr = simulate(500, 200, name, generator=gen(1))
    assert tr.target_pos.abs().max() <= 1.1 + 1e-6
    assert tr.init_pos.abs().max() <= 1.1


@pytest.mark.parametrize("name", sorted(MOTION_PRESETS))
def test_inputs_integrate_to_the_path(name):
    """Speed x dt along the heading reproduces each displacement; sin/cos are a unit vector."""
    tr = simulate(50, 100, name, generator=gen(2))
    p = get_motion(name)
    path = tr.full_path()
    step = (path[:, 1:] - path[:, :-1]).norm(dim=-1)
    torch.testing.assert_close(step, tr.speed * p.dt, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(
        tr.velocity[..., 1] ** 2 + tr.velocity[..., 2] ** 2, torch.ones(50, 100), atol=1e-5, rtol=0
    )
    hd = torch.cat([tr.init_hd[:, None], tr.target_hd], 1)
    dhd = torch.remainder(hd[:, 1:] - hd[:, :-1] - tr.turn + math.pi, 2 * math.pi) - math.pi
    assert dhd.abs().max() < 1e-4


@pytest.mark.parametrize("name", sorted(MOTION_PRESETS))
def test_allocentric_velocity_is_the_displacement_over_dt(name):
    """(vx, vy) is each step actually taken (walls shorten some) divided by dt: the speed
    along the heading after the step."""
    tr = simulate(50, 100, name, generator=gen(3))
    p = get_motion(name)
    path = tr.full_path()
    torch.testing.assert_close(tr.velocity_xy, (path[:, 1:] - path[:, :-1]) / p.dt)
    heading = torch.stack([torch.cos(tr.target_hd), torch.sin(tr.target_hd)], dim=-1)
    torch.testing.assert_close(tr.velocity_xy, tr.speed[..., None] * heading, atol=1e-4, rtol=0)
    # Integrating it from the start gives the path.
    cum = tr.init_pos[:, None] + torch.cumsum(tr.velocity_xy * p.dt, dim=1)
    torch.testing.assert_close(cum, tr.target_pos, atol=1e-4, rtol=0)


@pytest.mark.parametrize("name", sorted(MOTION_PRESETS))
def test_motion_statistics_match_parameters(name):
    """Away from walls, speeds are Rayleigh(scale) and turns N(0, sigma dt)."""
    p = get_motion(name)
    tr = simulate(2000, 100, name, generator=gen(3))
    half = 1.1 - 0.15  # well inside: the wall rule never fires there
    inside = (tr.target_pos.abs() < half).all(-1)
    inside = inside[:, 1:] & inside[:, :-1]
    speed = tr.speed[:, 1:][inside]
    turn = tr.turn[:, 1:][inside]
    assert speed.mean().item() == pytest.approx(p.mean_speed, rel=0.03)
    # Rayleigh: E[v^2] = 2 s^2.
    assert (speed**2).mean().sqrt().item() == pytest.approx(math.sqrt(2) * p.speed_scale, rel=0.03)
    assert turn.std().item() == pytest.approx(p.turn_sigma * p.dt, rel=0.03)
    assert abs(turn.mean().item()) < 0.01


def test_wall_makes_rat_slow_and_turn():
    """A rat 1 cm from the east wall running east turns by about 90 degrees and slows down."""
    n = 2000
    start = torch.tensor([[1.09, 0.0]]).repeat(n, 1)
    tr = simulate(n, 1, "paper", generator=gen(4), init_pos=start, init_hd=torch.zeros(n))
    p = get_motion("paper")
    assert tr.speed.mean().item() == pytest.approx(0.25 * p.mean_speed, rel=0.05)
    heading = tr.target_hd[:, 0].abs()
    assert (heading - math.pi / 2).abs().mean() < 3 * p.turn_sigma * p.dt
    free = simulate(
        n, 1, "paper", generator=gen(4), init_hd=torch.zeros(n), init_pos=torch.zeros(n, 2)
    )
    assert free.speed.mean().item() == pytest.approx(p.mean_speed, rel=0.05)


def test_seeded_and_device_option():
    a = simulate(4, 10, generator=gen(5), device="cpu")
    b = simulate(4, 10, generator=gen(5), device=torch.device("cpu"))
    c = simulate(4, 10, generator=gen(6))
    torch.testing.assert_close(a.velocity, b.velocity)
    assert not torch.equal(a.velocity, c.velocity)


def test_stream_is_random_access():
    s1 = TrajectoryStream(3, 10, seed=1, chunk_batches=4)
    s2 = TrajectoryStream(3, 10, seed=1, chunk_batches=4)
    seq = [s1.batch(i).velocity for i in range(9)]
    torch.testing.assert_close(s2.batch(6).velocity, seq[6])
    torch.testing.assert_close(s2.batch(1).velocity, seq[1])
    assert not torch.equal(seq[0], seq[1])
    assert not torch.equal(seq[0], seq[4])


def test_a_length_curriculum_lengthens_paths_at_its_steps_and_stays_random_access():
    stages = ((5, 25), (7, 40))
    s1 = TrajectoryStream(3, 10, seed=1, chunk_batches=4, stages=stages)
    lengths = [s1.batch(i).velocity.shape[1] for i in range(9)]
    assert lengths == [10] * 5 + [25] * 2 + [40] * 2
    s2 = TrajectoryStream(3, 10, seed=1, chunk_batches=4, stages=stages)
    torch.testing.assert_close(s2.batch(6).velocity, s1.batch(6).velocity)
    torch.testing.assert_close(s2.batch(1).velocity, s1.batch(1).velocity)
    plain = TrajectoryStream(3, 10, seed=1, chunk_batches=4)
    torch.testing.assert_close(plain.batch(2).velocity, s1.batch(2).velocity)


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown motion preset"):
        simulate(2, 2, "fast")
    with pytest.raises(ValueError, match=">= 1"):
        simulate(0, 10)


def test_motion_statistics_and_densities():
    import numpy as np

    from gridcore.world.trajectories import (
        distance_to_wall,
        motion_statistics,
        normal_pdf,
        occupancy,
        rayleigh_pdf,
    )

    v = np.linspace(0, 3, 3001)
    assert np.trapezoid(rayleigh_pdf(v, 0.3), v) == pytest.approx(1, abs=1e-3)
    x = np.linspace(-10, 10, 4001)
    assert np.trapezoid(normal_pdf(x, 0.5, 1.5), x) == pytest.approx(1, abs=1e-4)
    tr = simulate(200, 100, "paper", generator=gen(1))
    stats = motion_statistics(tr, "paper")
    p = get_motion("paper")
    # Away from walls the speed is Rayleigh: mean scale * sqrt(pi / 2) = 0.163 m/s.
    assert stats["mean_speed"] == pytest.approx(p.mean_speed, rel=0.1)
    assert stats["turn_rate_sd"] == pytest.approx(p.turn_sigma, rel=0.2)
    assert 0 <= stats["border_fraction"] <= stats["near_wall_fraction"] <= 1
    assert stats["duration"] == pytest.approx(2.0)
    occ = occupancy(tr, 8, "paper")
    assert occ.shape == (8, 8) and occ.sum() == pytest.approx(1)
    d = distance_to_wall(torch.tensor([[1.0, 0.0], [0.0, -1.05], [0.0, 0.0]]), "paper")
    torch.testing.assert_close(d, torch.tensor([0.1, 0.05, 1.1]))


def test_times_real_rat_speed_compares_the_set_mean_speeds():
    from gridcore.world.trajectories import REAL_RAT_SPEED, times_real_rat_speed

    fast = get_motion("sorscher")
    assert times_real_rat_speed("sorscher") == pytest.approx(fast.mean_speed / 0.12)
    assert times_real_rat_speed(fast) == times_real_rat_speed("sorscher")
    assert REAL_RAT_SPEED["mean"] == 0.12
    assert times_real_rat_speed("sargolini") == pytest.approx(1, abs=0.1)  # fitted to it


# --- walls inside the box ---------------------------------------------------------------------

WALL_WITH_DOOR = torch.tensor([[[0.0, -1.1], [0.0, -0.25]], [[0.0, 0.25], [0.0, 1.1]]])
DOOR = torch.tensor([[[0.0, -0.25], [0.0, 0.25]]])


def test_wall_geometry_on_hand_cases():
    from gridcore.world.trajectories import crosses_walls, nearest_on_walls, ray_to_walls

    wall = torch.tensor([[[0.0, -1.0], [0.0, 1.0]]])
    pos = torch.tensor([[-0.5, 0.0], [-0.5, 1.5], [0.3, -2.0]])
    dist, closest = nearest_on_walls(pos, wall)
    torch.testing.assert_close(dist[:, 0], torch.tensor([0.5, 0.5**0.5, 1.09**0.5]))
    torch.testing.assert_close(closest[:, 0], torch.tensor([[0.0, 0.0], [0.0, 1.0], [0.0, -1.0]]))
    east = torch.tensor([[1.0, 0.0]] * 3)
    t, index = ray_to_walls(pos, east, wall)
    assert t[0].item() == pytest.approx(0.5) and math.isinf(t[1]) and math.isinf(t[2])
    assert index[0].item() == 0
    ends = pos + east
    assert crosses_walls(pos, ends, wall)[:, 0].tolist() == [True, False, False]
    assert not crosses_walls(pos[:1], torch.tensor([[0.0, 0.0]]), wall).any()  # touching


@pytest.mark.parametrize("name", sorted(MOTION_PRESETS))
def test_no_path_crosses_a_closed_wall(name):
    from gridcore.world.trajectories import crosses_walls

    closed = torch.cat([WALL_WITH_DOOR, DOOR])  # a wall right across the box
    tr = simulate(500, 200, name, generator=gen(7), walls=closed)
    path = tr.full_path()
    assert not crosses_walls(path[:, :-1], path[:, 1:], closed).any()
    side = path[..., 0] > 0
    assert ((side == side[:, :1]).all(dim=1)).all()  # every rat stays in its half
    assert tr.target_pos.abs().max() <= 1.1 + 1e-6
    # The velocity inputs still integrate to the path.
    step = (path[:, 1:] - path[:, :-1]).norm(dim=-1)
    torch.testing.assert_close(step, tr.speed * get_motion(name).dt, atol=1e-5, rtol=1e-4)


def test_an_open_door_is_the_only_way_through():
    from gridcore.world.trajectories import crosses_walls

    tr = simulate(1000, 200, "sorscher", generator=gen(8), walls=WALL_WITH_DOOR)
    path = tr.full_path()
    start, end = path[:, :-1], path[:, 1:]
    assert not crosses_walls(start, end, WALL_WITH_DOOR).any()
    changes = (start[..., 0] > 0) != (end[..., 0] > 0)
    through_door = crosses_walls(start, end, DOOR)[..., 0]
    assert through_door.sum() > 100  # rats do pass
    assert torch.equal(changes, through_door)  # and only through the door


def test_internal_walls_make_the_rat_turn_and_no_walls_change_nothing():
    n = 2000
    start = torch.tensor([[-0.01, 0.5]]).repeat(n, 1)  # 1 cm from the wall, running at it
    tr = simulate(
        n,
        1,
        "paper",
        generator=gen(4),
        init_pos=start,
        init_hd=torch.zeros(n),
        walls=WALL_WITH_DOOR,
    )
    p = get_motion("paper")
    assert tr.speed.mean().item() == pytest.approx(0.25 * p.mean_speed, rel=0.05)
    assert (tr.target_hd[:, 0].abs() - math.pi / 2).abs().mean() < 3 * p.turn_sigma * p.dt
    plain = simulate(50, 40, "sorscher", generator=gen(9))
    empty = simulate(50, 40, "sorscher", generator=gen(9), walls=torch.zeros(0, 2, 2))
    far = simulate(50, 40, "sorscher", generator=gen(9), walls=[[[5.0, 5.0], [6.0, 5.0]]])
    for other in (empty, far):
        assert torch.equal(plain.target_pos, other.target_pos)
        assert torch.equal(plain.velocity, other.velocity)


# --- the time base: the rat simulated at dt, seen every sample_dt -----------------------------


def paper_seen_every(sample_dt):
    from dataclasses import replace

    return replace(get_motion("paper"), sample_dt=sample_dt)


def test_resampling_keeps_the_paths_end_points():
    """15 s at 0.02 s seen in 100 steps of 0.15 s: same start, same end as the fine path."""
    from gridcore.world.trajectories import _simulate_fine

    p = paper_seen_every(0.15)
    assert p.network_dt == 0.15 and p.fine_steps(100) == 750
    coarse = simulate(20, 100, p, generator=gen(7))
    fine = _simulate_fine(20, 750, p, generator=gen(7))
    torch.testing.assert_close(coarse.init_pos, fine.init_pos)
    torch.testing.assert_close(coarse.target_pos[:, -1], fine.target_pos[:, -1])
    # Every 7.5 fine steps: the even network steps land exactly on fine samples.
    torch.testing.assert_close(coarse.target_pos[:, 1::2], fine.target_pos[:, 14::15])
    # The path length over the whole trajectory is the fine path's.
    torch.testing.assert_close(
        (coarse.speed * 0.15).sum(1), (fine.speed * 0.02).sum(1), atol=1e-4, rtol=1e-5
    )


@pytest.mark.parametrize("sample_dt", [0.04, 0.15])
def test_the_resampled_velocity_integrates_back_to_the_positions(sample_dt):
    tr = simulate(40, 100, paper_seen_every(sample_dt), generator=gen(8))
    cum = tr.init_pos[:, None] + torch.cumsum(tr.velocity_xy * sample_dt, dim=1)
    torch.testing.assert_close(cum, tr.target_pos, atol=1e-4, rtol=0)
    # The turns add up to the headings, and each step's speed is at least its straight line.
    hd = tr.init_hd[:, None] + tr.turn.cumsum(1)
    wrapped = torch.remainder(hd - tr.target_hd + math.pi, 2 * math.pi) - math.pi
    assert wrapped.abs().max() < 1e-4
    chord = tr.full_path().diff(dim=1).norm(dim=-1)
    assert (tr.speed * sample_dt >= chord - 1e-5).all()


def test_the_time_base_changes_how_far_the_rat_goes_per_example():
    """The paper's rat moves about 0.32 m in 100 steps of 0.02 s, about 2.4 m in 15 s."""
    slow = simulate(500, 100, "paper", generator=gen(9))
    paper = simulate(500, 100, paper_seen_every(0.15), generator=gen(9))
    assert 0.25 < (slow.speed * 0.02).sum(1).mean() < 0.4
    assert 2.1 < (paper.speed * 0.15).sum(1).mean() < 2.7


def test_sample_dt_shorter_than_dt_is_refused():
    with pytest.raises(ValueError, match="sample_dt"):
        paper_seen_every(0.01)


def test_example_statistics_compare_the_two_readings():
    from gridcore.world.trajectories import example_statistics, seen_every

    assert seen_every("paper", 0.02).sample_dt == 0.0
    short, long = (
        example_statistics(
            simulate(300, 100, seen_every("paper", s), generator=gen(4)), seen_every("paper", s)
        )
        for s in (0.02, 0.15)
    )
    assert (short["duration_s"], long["duration_s"]) == pytest.approx((2.0, 15.0))
    assert long["path_m"] > 6 * short["path_m"]
    assert long["cm_per_step"] > 6 * short["cm_per_step"] > 0
    assert long["turn_deg_per_step"] > short["turn_deg_per_step"]
    assert long["start_to_end_m"] < long["path_m"]
