"""Atomic writes: a reader sees the old file or the whole new one, with ordinary permissions."""

from __future__ import annotations

import os
import stat

import pytest

from gridcore.files import atomic_write, write_text_atomic


@pytest.fixture
def umask():
    """Set the process umask for one test, and put the old one back."""
    old = os.umask(0o022)
    yield os.umask
    os.umask(old)


def test_atomic_write_leaves_old_file_on_failure(tmp_path):
    path = tmp_path / "f.txt"
    path.write_text("old")

    def broken(tmp):
        with open(tmp, "w") as fh:
            fh.write("half")
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        atomic_write(path, broken)
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def test_no_half_written_file_appears_when_the_write_fails(tmp_path):
    path = tmp_path / "new.bin"

    def broken(tmp):
        with open(tmp, "wb") as fh:
            fh.write(b"\x00" * 1000)
        raise KeyboardInterrupt  # not only Exceptions: an interrupted write cleans up too

    with pytest.raises(KeyboardInterrupt):
        atomic_write(path, broken)
    assert list(tmp_path.iterdir()) == []


def test_the_old_file_stays_in_place_until_the_new_one_is_complete(tmp_path):
    path = tmp_path / "f.txt"
    path.write_text("old")
    seen = []

    def write(tmp):
        assert os.path.dirname(tmp) == str(tmp_path)  # same file system: the rename is atomic
        with open(tmp, "w") as fh:
            fh.write("new, ")
            seen.append(path.read_text())
            fh.write("complete")
        seen.append(path.read_text())

    atomic_write(path, write)
    assert seen == ["old", "old"]
    assert path.read_text() == "new, complete"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]
    write_text_atomic(str(path), "again")
    assert path.read_text() == "again"


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_files_respect_the_umask(tmp_path, umask, mask, mode):
    umask(mask)
    write_text_atomic(tmp_path / "a.txt", "x")
    atomic_write(tmp_path / "b.bin", lambda tmp: open(tmp, "wb").close())
    (tmp_path / "plain.txt").write_text("x")  # what an ordinary open(path, "w") gives
    for name in ("a.txt", "b.bin", "plain.txt"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == mode, name
    assert os.umask(mask) == mask  # atomic_write reads the umask without changing it
