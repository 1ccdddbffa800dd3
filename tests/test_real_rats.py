"""Real rats: the conversion maths on paths with a known answer, the fit, and the shipped data
(the last only where ratinabox is installed)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from gridcore.errors import GridcoreError
from gridcore.world import real_rats as R
from gridcore.world.trajectories import MOTION_PRESETS, simulate


def integrate(traj, dt: float) -> torch.Tensor:
    """Positions (B, T, 2) from the start and the egocentric velocity, as the task reads it."""
    turn = torch.atan2(traj.velocity[..., 1], traj.velocity[..., 2]).double()
    hd = traj.init_hd.double()[:, None] + torch.cumsum(turn, dim=1)
    step = traj.velocity[..., 0].double()[..., None] * dt
    disp = step * torch.stack([torch.cos(hd), torch.sin(hd)], dim=-1)
    return traj.init_pos.double()[:, None] + torch.cumsum(disp, dim=1)


# --------------------------------------------------------------------------------------------
# Regular samples, smoothing, placement


def test_regular_segments_interpolate_drop_nans_and_split_at_gaps():
    t = np.concatenate([np.arange(0, 1.01, 0.1), [1.05], np.arange(3.0, 3.51, 0.1)])
    pos = np.stack([t, 2 * t], axis=1)
    pos[3] = np.nan  # a lost sample inside the first piece
    pieces = R.regular_segments(t, pos, dt=0.02, max_gap_s=1.0)
    assert len(pieces) == 2  # 1.05 s -> 3.0 s is a gap
    first, second = pieces
    assert len(first) == 53  # 0 .. 1.04 s in steps of 0.02 s
    grid = 0.02 * np.arange(53)
    np.testing.assert_allclose(first, np.stack([grid, 2 * grid], axis=1), atol=1e-12)
    np.testing.assert_allclose(second[0], [3.0, 6.0])
    np.testing.assert_allclose(np.diff(second[:, 0]), 0.02, atol=1e-12)


def test_regular_segments_sort_times_and_drop_pieces_of_one_sample():
    t = np.array([0.2, 0.0, 0.1, 5.0])
    pos = np.stack([t, -t], axis=1)
    (piece,) = R.regular_segments(t, pos, dt=0.05, max_gap_s=1.0)
    np.testing.assert_allclose(piece[:, 0], [0.0, 0.05, 0.1, 0.15, 0.2], atol=1e-12)


def test_smoothing_keeps_a_straight_run_and_zero_does_nothing():
    t = 0.02 * np.arange(200)
    line = np.stack([0.3 * t, -0.1 * t], axis=1)
    np.testing.assert_allclose(R.smooth_path(line, 0.02, 0.1)[20:-20], line[20:-20], atol=1e-12)
    noisy = line + np.random.default_rng(0).normal(0, 0.01, line.shape)
    assert np.array_equal(R.smooth_path(noisy, 0.02, 0.0), noisy)
    assert np.std(R.smooth_path(noisy, 0.02, 0.1) - line) < 0.5 * np.std(noisy - line)


def test_place_in_box_centres_and_scales():
    out = R.place_in_box(np.array([[0.5, 0.5], [1.0, 0.0]]), (0.5, 0.5), scale=2.0)
    np.testing.assert_allclose(out, [[0.0, 0.0], [1.0, -1.0]])
    with pytest.raises(ValueError):
        R.place_in_box(np.zeros((1, 2)), (0, 0), scale=0.0)


# --------------------------------------------------------------------------------------------
# Egocentric velocity


def test_egocentric_steps_on_a_circle():
    radius, omega, dt = 0.3, 2.0, 0.02  # m, rad/s (counter-clockwise), s
    angle = omega * dt * np.arange(51)
    path = radius * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    st = R.egocentric_steps(path, dt)
    chord = 2 * radius * math.sin(omega * dt / 2)
    np.testing.assert_allclose(st["speed"], chord / dt)
    np.testing.assert_allclose(st["turn"][1:], omega * dt, atol=1e-12)
    assert st["turn"][0] == 0
    tangent = angle[:-1] + omega * dt / 2 + math.pi / 2  # direction of each chord
    np.testing.assert_allclose(np.cos(st["heading"] - tangent), 1.0, atol=1e-12)
    np.testing.assert_allclose(st["velocity_xy"], np.diff(path, axis=0) / dt)


def test_zero_steps_keep_the_heading():
    path = np.array([[0, 0], [0, 0], [0, 0.1], [0, 0.1], [-0.1, 0.1]], dtype=float)
    st = R.egocentric_steps(path, 0.1)
    np.testing.assert_allclose(st["heading"], [math.pi / 2] * 3 + [-math.pi], atol=1e-12)
    np.testing.assert_allclose(st["speed"], [0, 1, 0, 1], atol=1e-12)
    np.testing.assert_allclose(st["turn"], [0, 0, 0, math.pi / 2], atol=1e-12)
    assert np.all(R.egocentric_steps(np.zeros((4, 2)), 0.1)["heading"] == 0)


def test_paths_integrate_back_to_the_positions():
    rng = np.random.default_rng(1)
    walk = np.cumsum(rng.normal(0, 0.004, (1001, 2)), axis=0)
    walk[300:305] = walk[300]  # the rat stands still for a moment
    traj = R.paths_from_segments([walk], seq_len=100, dt=0.02)
    assert len(traj) == 10
    torch.testing.assert_close(traj.target_pos[3], torch.tensor(walk[301:401], dtype=torch.float32))
    torch.testing.assert_close(integrate(traj, 0.02), traj.target_pos.double(), atol=1e-5, rtol=0)
    # Each path starts with the heading of the step before it.
    st = R.egocentric_steps(walk, 0.02)
    assert traj.init_hd[1].item() == pytest.approx(st["heading"][99], abs=1e-6)
    torch.testing.assert_close(traj.target_hd[1], torch.tensor(st["heading"][100:200]).float())
    steps = traj.target_pos - traj.full_path()[:, :-1]
    assert torch.allclose(traj.velocity_xy * 0.02, steps, atol=1e-6)


def test_paths_that_leave_the_box_are_dropped():
    t = np.linspace(0, 1, 201)[:, None]
    inside, outside = np.hstack([0.2 * t, 0 * t]), np.hstack([2.0 * t, 0 * t])
    traj = R.paths_from_segments([inside, outside, inside[:50]], seq_len=50, box=(2.2, 2.2))
    assert len(traj) == 4 + 2  # outside: only its first two paths stay below x = 1.1 m
    with pytest.raises(GridcoreError, match="no path of 50 steps"):
        R.paths_from_segments([outside + 1.5], seq_len=50)


# --------------------------------------------------------------------------------------------
# The fit


def test_fit_recovers_known_distributions():
    rng = np.random.default_rng(2)
    stats = R.StepStatistics(
        "synthetic", 0.02, rng.rayleigh(0.2, 200_000), rng.normal(0.5, 3, 200_000)
    )
    fit = R.fit_motion(stats)
    assert fit.speed_scale == pytest.approx(0.2, rel=0.01)
    assert fit.turn_mean == pytest.approx(0.5, abs=0.03)
    assert fit.turn_sigma == pytest.approx(3.0, rel=0.01)
    p = fit.params(box_width=1.0)
    assert (p.speed_scale, p.turn_mean, p.box_width) == (R.round_sig(fit.speed_scale), 0.0, 1.0)


def test_the_fitted_preset_simulates_its_own_statistics():
    gen = torch.Generator().manual_seed(0)
    traj = simulate(400, 100, "sargolini", generator=gen)
    stats = R.StepStatistics(
        "sim", 0.02, traj.speed.flatten().numpy(), (traj.turn / 0.02).flatten().numpy()
    )
    fit, preset = R.fit_motion(stats), MOTION_PRESETS["sargolini"]
    assert fit.speed_scale == pytest.approx(preset.speed_scale, rel=0.05)
    assert fit.turn_sigma == pytest.approx(preset.turn_sigma, rel=0.05)


def test_round_sig():
    assert R.round_sig(0.090615) == 0.0906
    assert R.round_sig(7.7085) == 7.71
    assert R.round_sig(12345.0, 2) == 12000.0


# --------------------------------------------------------------------------------------------
# Loading


def test_unknown_recording_is_one_line():
    with pytest.raises(GridcoreError, match="unknown real-rat recording 'moser'.*sargolini"):
        R.load_recording("moser")


def test_missing_package_says_how_to_install(monkeypatch):
    def missing(name):
        raise ModuleNotFoundError(f"No module named {name!r}")

    monkeypatch.setattr(R.resources, "files", missing)
    with pytest.raises(GridcoreError, match=r"pip install 'gridcore\[rats\]'") as info:
        R.load_recording("sargolini")
    assert "\n" not in str(info.value)


def test_shipped_recordings_and_the_fitted_preset():
    pytest.importorskip("ratinabox")
    rec = R.load_recording("sargolini")
    assert rec.duration_s == pytest.approx(600, abs=1)
    assert rec.positions_m.min() >= 0 and rec.positions_m.max() <= 1.0
    stats = R.step_statistics("sargolini")
    assert stats.n_steps > 29_000
    preset = MOTION_PRESETS["sargolini"]
    assert R.fit_motion(stats).params() == preset  # the preset is the fit, to 3 figures
    traj = R.real_trajectories("sargolini")
    assert len(traj) == stats.n_steps // 100
    assert traj.target_pos.abs().max() < 0.5  # the 1 m box sits in the middle of the 2.2 m box
    tanni = R.real_trajectories("tanni", scale=2.2 / 3.5)
    assert tanni.target_pos.abs().max() <= 1.1


def test_step_statistics_of_trajectories_and_the_motion_table():
    traj = simulate(50, 40, "paper", generator=torch.Generator().manual_seed(3))
    st = R.StepStatistics.of("paper", traj)
    np.testing.assert_allclose(st.speed, traj.speed.flatten().numpy(), rtol=1e-6)
    np.testing.assert_allclose(st.turn_rate * 0.02, traj.turn.flatten().numpy(), atol=1e-6)
    rng = np.random.default_rng(4)
    normal = R.StepStatistics("normal", 0.02, rng.rayleigh(0.1, 50_000), rng.normal(0, 2, 50_000))
    table = R.motion_table({"paper": st, "normal": normal})
    assert list(table.index) == ["paper", "normal"]
    assert table.loc["normal", "turning within 1 s.d. (%)"] == pytest.approx(68.3, abs=1)
    assert table.loc["normal", "mean speed (m/s)"] == pytest.approx(
        0.1 * math.sqrt(math.pi / 2), abs=0.002
    )
    assert table.loc["paper", "turning s.d. (rad/s)"] == round(st.summary()["turn_rate_sd"], 2)


def test_recording_table():
    pytest.importorskip("ratinabox")
    table = R.recording_table(["sargolini"])
    row = table.loc["sargolini"]
    assert (row["duration (s)"], row["rate (Hz)"], row["arena (m)"]) == (600, 50, "1 x 1")
    assert row["paths of 100 steps in the box"] == len(R.real_trajectories("sargolini"))


def test_sharp_turns_at_slow_steps():
    rng = np.random.default_rng(5)
    speed, turn = rng.rayleigh(0.1, 100_000), rng.normal(0, 2, 100_000)
    independent = R.StepStatistics("independent", 0.02, speed, turn).summary()
    assert independent["sharp_turns_slow"] == pytest.approx(1 - math.exp(-0.125), abs=0.02)
    turn[speed < 0.05] *= 10  # slow steps turn sharply, as a real rat's do
    assert R.StepStatistics("slow", 0.02, speed, turn).summary()["sharp_turns_slow"] > 0.9


def test_times_smoothed_speed_is_against_the_smoothed_path_and_exceeds_the_tracked_multiple():
    pytest.importorskip("ratinabox")
    from gridcore.world.trajectories import get_motion, times_real_rat_speed

    smoothed = R.step_statistics("sargolini").summary()["mean_speed"]
    ratio = R.times_smoothed_speed("sorscher")
    assert ratio == pytest.approx(get_motion("sorscher").mean_speed / smoothed)
    assert ratio > times_real_rat_speed("sorscher")  # smoothing removes jitter, lowering the mean
    # Unsmoothed, the recording's mean is the tracked mean that times_real_rat_speed uses.
    assert R.times_smoothed_speed("sorscher", smooth_s=0.0) == pytest.approx(
        times_real_rat_speed("sorscher"), rel=0.05
    )
