"""Save keeps the file's mode and symlinks and tidies interrupted saves. Each test failed
before its fix."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from nn import MLP

# --- save: the file's mode --------------------------------------------------------------------


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o666], ids=oct)
def test_save_keeps_the_mode_of_the_file_it_replaces(tmp_path, mode):
    path = tmp_path / "m.json"
    MLP(2, [1], seed=0).save(path)
    path.chmod(mode)  # 0o666 also shows the old mode wins over the umask (0o022 strips it)
    MLP(2, [1], seed=1).save(path)
    assert path.stat().st_mode & 0o777 == mode
    twin = MLP(2, [1], seed=5)
    twin.load(path)
    assert twin.state_dict() == MLP(2, [1], seed=1).state_dict()


def test_a_new_file_gets_the_default_mode_under_any_umask(tmp_path):
    old = os.umask(0o077)
    try:
        MLP(2, [1], seed=0).save(tmp_path / "private.json")
        os.umask(0o002)
        MLP(2, [1], seed=0).save(tmp_path / "shared.json")
    finally:
        os.umask(old)
    assert (tmp_path / "private.json").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "shared.json").stat().st_mode & 0o777 == 0o664


# --- save: symlinks -----------------------------------------------------------------------------


def saved_by(seed: int) -> dict[str, float]:
    return MLP(2, [1], seed=seed).state_dict()


def read(path: Path) -> dict[str, float]:
    model = MLP(2, [1], seed=9)
    model.load(path)
    return model.state_dict()


def test_save_writes_through_a_symlink_and_keeps_the_link(tmp_path):
    real, link = tmp_path / "real.json", tmp_path / "link.json"
    MLP(2, [1], seed=0).save(real)
    real.chmod(0o600)
    link.symlink_to("real.json")
    MLP(2, [1], seed=1).save(link)
    assert link.is_symlink() and os.readlink(link) == "real.json"
    assert read(real) == saved_by(1)
    assert real.stat().st_mode & 0o777 == 0o600  # the target's mode, not the link's
    assert sorted(os.listdir(tmp_path)) == ["link.json", "real.json"]


def test_save_follows_a_chain_of_links_into_another_folder(tmp_path, monkeypatch):
    here, there = tmp_path / "here", tmp_path / "there"
    here.mkdir()
    there.mkdir()
    MLP(2, [1], seed=0).save(there / "real.json")
    (there / "middle.json").symlink_to("real.json")
    (here / "link.json").symlink_to(there / "middle.json")
    renames = []
    real_replace = os.replace

    def replace(src, dst):
        renames.append((Path(src), Path(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    MLP(2, [1], seed=1).save(here / "link.json")
    monkeypatch.undo()
    # the temp file sits beside the real target, so the rename stays on one file system
    [(src, dst)] = renames
    assert src.parent == there and dst == there / "real.json"
    assert (here / "link.json").is_symlink() and (there / "middle.json").is_symlink()
    assert read(there / "real.json") == saved_by(1)


def test_save_through_a_dangling_link_creates_its_target(tmp_path):
    link = tmp_path / "link.json"
    link.symlink_to("new.json")
    MLP(2, [1], seed=1).save(link)
    assert link.is_symlink() and (tmp_path / "new.json").is_file()
    assert read(tmp_path / "new.json") == saved_by(1)


def test_save_through_a_loop_of_links_is_refused_and_keeps_the_links(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.symlink_to("b.json")
    b.symlink_to("a.json")
    with pytest.raises(OSError, match=r"a\.json"):
        MLP(2, [1], seed=1).save(a)
    assert a.is_symlink() and b.is_symlink()
    assert sorted(os.listdir(tmp_path)) == ["a.json", "b.json"]


# --- save: temp files left by an interrupted save -------------------------------------------

KILLED_SAVE = """
import os, signal, sys
from nn import MLP
os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)  # die with the temp file written
MLP(2, [1], seed=1).save(sys.argv[1])
"""


def test_a_save_cleans_the_temp_file_of_a_killed_save_and_nothing_else(tmp_path):
    path = tmp_path / "m.json"
    MLP(2, [1], seed=0).save(path)
    run = subprocess.run([sys.executable, "-c", KILLED_SAVE, str(path)], capture_output=True)
    assert run.returncode == -signal.SIGKILL, run.stderr
    stale = [name for name in os.listdir(tmp_path) if name != "m.json"]
    assert len(stale) == 1 and stale[0].startswith(".m.json.") and stale[0].endswith(".tmp")
    assert read(path) == saved_by(0)  # the killed save did not touch the file

    others = [  # look alike, but are not temp files of m.json
        ".other.json.0123456789abcdef0123456789abcdef.tmp",
        ".m.json.notes.tmp",
        ".m.json.backup",
        "m.json.0123456789abcdef0123456789abcdef.tmp",
        ".xm.json.0123456789abcdef0123456789abcdef.tmp",
    ]
    for name in others:
        (tmp_path / name).write_text("keep me")
    MLP(2, [1], seed=2).save(path)
    assert sorted(os.listdir(tmp_path)) == sorted(["m.json", *others])
    assert all((tmp_path / name).read_text() == "keep me" for name in others)
    assert read(path) == saved_by(2)


def test_a_save_leaves_the_temp_file_of_a_save_still_running(tmp_path):
    path = tmp_path / "m.json"
    live = tmp_path / ".m.json.0123456789abcdef0123456789abcdef.tmp"
    with open(live, "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a save in progress holds it
        MLP(2, [1], seed=1).save(path)
        assert live.exists()
    MLP(2, [1], seed=2).save(path)  # once that save is gone, its file is stale
    assert sorted(os.listdir(tmp_path)) == ["m.json"]
