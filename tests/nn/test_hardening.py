"""Defects an adversarial pass found in nn, each pinned by a test that failed before."""

from __future__ import annotations

import json
import math
import os

import numpy as np
import pytest

from autograd import Value
from nn import MLP, SGD, Adam, Module, Neuron, data, fit

# --- a failed save never destroys the previous checkpoint ----------------------------------------


def test_a_diverged_model_is_refused_before_the_file_is_touched(tmp_path):
    path = tmp_path / "m.json"
    model = MLP(2, [3, 1], seed=0)
    model.save(path)
    before = path.read_bytes()
    model.parameters()[3].data = math.nan
    with pytest.raises(ValueError, match=r"parameter 'layers\.0\.neurons\.1\.w\.0' is nan.*left"):
        model.save(path)
    assert path.read_bytes() == before
    MLP(2, [3, 1], seed=5).load(path)  # the old checkpoint still loads
    assert sorted(os.listdir(tmp_path)) == ["m.json"]  # and nothing was left behind


@pytest.mark.parametrize("step", ["write", "fsync", "replace"])
def test_a_save_interrupted_at_any_step_leaves_the_old_file_whole(tmp_path, monkeypatch, step):
    path = tmp_path / "m.json"
    MLP(2, [3, 1], seed=0).save(path)
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # as a Ctrl-C (or a kill) would, mid-save

    if step == "write":  # the new file is opened, then the write dies half way
        real_fdopen = os.fdopen

        class HalfWriter:
            def __init__(self, *args, **kwargs):
                self.file = real_fdopen(*args, **kwargs)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.file.close()

            def write(self, text):
                self.file.write(text[: len(text) // 2])
                crash()

        monkeypatch.setattr(os, "fdopen", HalfWriter)
    else:
        monkeypatch.setattr(os, step, crash)
    with pytest.raises(KeyboardInterrupt):
        MLP(2, [3, 1], seed=1).save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["m.json"]


def test_save_keeps_the_usual_file_permissions(tmp_path):
    path = tmp_path / "m.json"
    MLP(2, [1], seed=0).save(path)
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


# --- load keeps its ValueError contract ----------------------------------------------------


def write(tmp_path, text: str):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    return path


def test_deeply_nested_json_is_a_value_error(tmp_path):
    path = write(tmp_path, "[" * 100_000 + "]" * 100_000)
    with pytest.raises(ValueError, match=r"bad\.json.*nested too deeply"):
        MLP(2, [1]).load(path)


def test_a_huge_config_is_not_copied_into_the_message(tmp_path):
    model = MLP(2, [1], seed=0)
    doc = {
        "format": "gradstep-model",
        "version": 1,
        "model": "MLP",
        "config": {"nin": 2, "junk": "x" * 10_000_000},
        "parameters": {},
    }
    path = write(tmp_path, json.dumps(doc))
    with pytest.raises(ValueError) as info:
        model.load(path)
    assert len(str(info.value)) < 1000 and "characters)" in str(info.value)


def test_a_5000_digit_number_names_the_file(tmp_path):
    path = write(tmp_path, '{"format": "gradstep-model", "version": ' + "9" * 5000 + "}")
    with pytest.raises(ValueError, match=r"bad\.json.* is not a valid model file"):
        MLP(2, [1]).load(path)


# --- fit's input checks -------------------------------------------------------------------------


def test_fit_refuses_list_targets_with_a_builtin_loss():
    X, _ = data.xor()
    with pytest.raises(ValueError, match=r"target #0 is a list \[1\]: the built-in losses"):
        fit(MLP(2, [2, 1]), X, [[1], [0], [1], [0]], epochs=1, progress=False)


def test_fit_takes_numpy_integers_for_epochs_and_batch_size():
    X, y = data.xor()
    model = MLP(2, [2, 1], seed=0)
    h = fit(model, X, y, epochs=np.int64(3), batch_size=np.int32(2), progress=False)
    assert len(h) == 3
    for bad in (2.0, True, 0, "3"):
        with pytest.raises(ValueError, match="epochs must be an int >= 1"):
            fit(MLP(2, [2, 1]), X, y, epochs=bad, progress=False)


def test_fit_refuses_more_classes_than_outputs_before_training():
    X, _ = data.xor()
    model = MLP(2, [2, 1], seed=0)
    before = [p.data for p in model.parameters()]
    with pytest.raises(ValueError, match=r"labels run from 0 to 2 \(3 classes\).* 1 output"):
        fit(model, X, [0, 1, 2, 1], loss="mse", epochs=1, progress=False)
    assert [p.data for p in model.parameters()] == before
    fit(MLP(2, [2, 3]), X, [0, 1, 2, 1], loss="cross_entropy", epochs=1, progress=False)


# --- optimizer state is checked ------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, key, bad, match",
    [
        (lambda ps: SGD(ps, lr=0.1, momentum=0.9), "velocity", math.nan, "must be finite"),
        (lambda ps: Adam(ps), "m", math.inf, "must be finite"),
        (lambda ps: Adam(ps), "v", -1.0, "cannot be negative"),
        (lambda ps: Adam(ps), "v", 10**400, "too large|finite"),
    ],
)
def test_load_state_dict_refuses_impossible_buffers(make, key, bad, match):
    params = [Value(1.0), Value(2.0)]
    opt = make(params)
    state = opt.state_dict()
    state[key] = [0.0, bad]
    before = opt.state_dict()
    with pytest.raises(ValueError, match=match):
        opt.load_state_dict(state)
    assert opt.state_dict() == before


# --- Module conventions -------------------------------------------------------------------


class Affine(Module):
    def __init__(self) -> None:
        self.w = Value(2.0, label="w")
        self.b = Value(0.5, label="b")

    def forward(self, x):
        return self.w * x + self.b


def test_a_module_calls_forward_and_has_a_repr_without_config():
    model = Affine()
    assert model(3.0).data == 6.5
    assert repr(model) == "Affine(2 parameters)"

    class Empty(Module):
        pass

    with pytest.raises(NotImplementedError, match="defines neither forward"):
        Empty()(1.0)


def test_a_shared_parameter_is_listed_and_updated_once():
    first, second = Neuron(1, seed=0), Neuron(1, seed=1)
    second.w = first.w  # tied weights

    class Tied(Module):
        def __init__(self) -> None:
            self.first, self.second = first, second

        def forward(self, x):
            return self.first(x) + self.second(x)

    model = Tied()
    names = [name for name, _ in model.named_parameters()]
    assert names == ["first.w.0", "first.b", "second.b"] and model.num_parameters() == 3
    w = first.w[0]
    w.grad = 1.0
    start = w.data
    SGD(model.parameters(), lr=0.1).step()
    assert w.data == start - 0.1  # one step, not two
