"""Save keeps the file's mode and symlinks and tidies interrupted saves; load errors name the
file and never echo a huge value whole. Each test failed before its fix."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from nn import MLP, SGD, Neuron

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


# --- load: errors name the file and shorten what they echo ---------------------------------


def model_file(tmp_path, **parameters) -> tuple[MLP, Path]:
    model = MLP(2, [1], seed=0)
    path = tmp_path / "m.json"
    model.save(path)
    doc = json.loads(path.read_text())
    doc["parameters"].update(parameters)
    path.write_text(json.dumps(doc))
    return MLP(2, [1], seed=3), path


def test_a_parameter_mismatch_names_the_file_and_changes_nothing(tmp_path):
    model, path = model_file(tmp_path, extra=1.0)
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"m\.json.*does not fit this MLP.*unexpected 'extra'"):
        model.load(path)
    assert model.state_dict() == before


def test_an_overridden_load_state_dict_error_names_the_file(tmp_path):
    class Strict(Neuron):
        def load_state_dict(self, state):
            raise KeyError("w.7")

    path = tmp_path / "n.json"
    Strict(2, seed=0).save(path)
    with pytest.raises(ValueError, match=r"n\.json.*'w\.7'"):
        Strict(2, seed=1).load(path)


def test_a_4000_digit_parameter_is_shortened(tmp_path):
    model, path = model_file(tmp_path, **{"layers.0.neurons.0.b": int("7" * 4000)})
    with pytest.raises(ValueError) as info:
        model.load(path)
    message = str(info.value)
    assert "m.json" in message and "777777777777...(4000 digits)" in message
    assert len(message) < 300


@pytest.mark.parametrize("where", ["value", "name"])
def test_a_10000_character_string_is_shortened(tmp_path, where):
    big = "x" * 10_000
    value = {"layers.0.neurons.0.b": big} if where == "value" else {big: 1.0}
    model, path = model_file(tmp_path, **value)
    with pytest.raises(ValueError) as info:
        model.load(path)
    message = str(info.value)
    assert "m.json" in message and "...(10000 characters)" in message
    assert len(message) < 300


@pytest.mark.parametrize(
    ("key", "value"),
    [("version", int("9" * 4000)), ("model", "M" * 10_000), ("config", {"nin": int("5" * 4000)})],
    ids=["version", "model", "config"],
)
def test_header_values_are_shortened_with_their_size(tmp_path, key, value):
    path = tmp_path / "m.json"
    MLP(2, [1], seed=0).save(path)
    doc = json.loads(path.read_text())
    doc[key] = value
    path.write_text(json.dumps(doc))
    with pytest.raises(ValueError) as info:
        MLP(2, [1]).load(path)
    message = str(info.value)
    assert "m.json" in message and len(message) < 400
    assert ("(4000 digits)" if key != "model" else "(10000 characters)") in message


def test_load_state_dict_shortens_an_int_too_long_for_repr():
    # Python 3.11+ refuses repr() of an int over 4300 digits with a ValueError of its own.
    model = Neuron(1, seed=0, activation="linear")
    huge = r"100000000000\.\.\.\(5001 digits\)"
    with pytest.raises(ValueError, match=rf"'b' must be finite, got {huge}"):
        model.load_state_dict({"w.0": 1.0, "b": 10**5000})
    with pytest.raises(ValueError, match=rf"a number, got \[5, {huge}\]"):
        model.load_state_dict({"w.0": [5, 10**5000], "b": 0.0})


@pytest.mark.parametrize(
    ("key", "value", "shown"),
    [
        ("lr", 10**4000, r"state_dict\['lr'\] must be a finite number > 0, got 100000000000\.\.\."),
        ("lr", -(10**300), r"> 0, got -100000000000\.\.\.\(301 digits\)"),
        ("steps", -(10**5000), r"int >= 0, got int -100000000000\.\.\.\(5001 digits\)"),
        ("type", "S" * 10_000, r"is for 'SSSS.*\.\.\.\(10000 characters\), not 'SGD'"),
        ("velocity", "v" * 10_000, r"list of floats, got str 'vvv.*\.\.\.\(10000 characters\)"),
        ("s" * 10_000, 1, r"unexpected \['sss.*\.\.\.\(10000 characters\)\]"),
    ],
    ids=["huge-lr", "negative-lr", "huge-steps", "long-type", "long-buffer", "long-key"],
)
def test_optimizer_load_state_dict_shortens_huge_values(key, value, shown):
    model = MLP(2, [1], seed=0)
    opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    state = opt.state_dict()
    before = json.dumps(state)
    state[key] = value
    with pytest.raises(ValueError, match=shown) as info:
        opt.load_state_dict(state)
    assert len(str(info.value)) < 300
    assert json.dumps(opt.state_dict()) == before  # unchanged
