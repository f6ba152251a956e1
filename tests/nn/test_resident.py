"""fit(compile=True) with the parameters kept in NumPy arrays between steps.

Two claims. The optimizers' one update rule gives the same bits on floats (``step()``, one
parameter at a time) and on arrays (``step_arrays()``, all at once). And a compiled fit that
keeps its numbers in arrays leaves the model, its gradients and the optimizer exactly where the
ordinary compiled step (the same NumPy replay, the numbers moved through the Values every
step) leaves them -- to the last bits of a sum -- whatever stops it.
"""

from __future__ import annotations

import json
import math
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

np = pytest.importorskip("numpy", reason="the arrays need NumPy: pip install -e '.[fast]'")

import nn  # noqa: E402
from autograd import Value  # noqa: E402
from nn import MLP, data, fit, optim  # noqa: E402
from nn.steps import CompiledStep  # noqa: E402

finite = st.floats(-1e3, 1e3, allow_nan=False)


def _optimizer(kind, params, hyper):
    if kind == "sgd":
        return optim.SGD(params, lr=hyper[0], momentum=hyper[1], weight_decay=hyper[2])
    return optim.Adam(params, lr=hyper[0], betas=(hyper[1], 0.999), weight_decay=hyper[2])


@settings(max_examples=60, deadline=None)
@given(
    kind=st.sampled_from(["sgd", "adam"]),
    start=st.lists(finite, min_size=1, max_size=40),
    grads=st.lists(st.lists(finite, min_size=40, max_size=40), min_size=1, max_size=4),
    hyper=st.tuples(
        st.floats(1e-4, 1.0), st.sampled_from([0.0, 0.5, 0.9]), st.sampled_from([0.0, 1e-2])
    ),
)
def test_step_arrays_is_step_bit_for_bit(kind, start, grads, hyper):
    n = len(start)
    values = [Value(x) for x in start]
    floats = _optimizer(kind, values, hyper)
    arrays = _optimizer(kind, [Value(x) for x in start], hyper)
    data_ = np.array(start, dtype=float)
    buffers = arrays.state_arrays()
    for g in grads:
        for v, gi in zip(values, g):
            v.grad = gi
        floats.step()
        floats.zero_grad()
        arrays.step_arrays(data_, np.array(g[:n], dtype=float), buffers)
    assert data_.tolist() == [v.data for v in values]
    arrays.load_arrays(buffers)
    assert arrays.state_dict() == floats.state_dict()


def test_a_big_step_on_arrays_equals_the_float_loop(monkeypatch):
    """step() itself runs on arrays from 32 parameters: the same numbers as the float loop."""
    start = [0.01 * i - 1 for i in range(100)]
    runs = []
    for arrays_from in (10**9, 32):
        monkeypatch.setattr(optim, "_ARRAYS_FROM", arrays_from)
        ps = [Value(x) for x in start]
        opt = optim.Adam(ps, lr=0.1, weight_decay=0.01)
        for k in range(3):
            for i, p in enumerate(ps):
                p.grad = math.sin(i + k)
            opt.step()
            opt.zero_grad()
        runs.append(([p.data for p in ps], opt.state_dict()))
    assert runs[0] == runs[1]


BLOBS = data.blobs(90, k=3, seed=2)


def _train(
    resident,
    X=BLOBS[0],
    y=BLOBS[1],
    sizes=(8, 3),
    opt="adam",
    l2_alpha=0.0,
    freeze=False,
    epochs=6,
    batch_size=16,
    **kw,
):
    model = MLP(len(X[0]), list(sizes), seed=1)
    params = model.parameters()
    trained = params[: len(params) // 2] if freeze else params
    optimizer = (
        optim.Adam(trained, lr=0.05) if opt == "adam" else optim.SGD(trained, lr=0.1, momentum=0.9)
    )
    original = CompiledStep.__init__

    def init(self, *args, **kwargs):
        kwargs["resident"] = resident and kwargs.get("resident", False)
        original(self, *args, **kwargs)
        assert (self.arrays is not None) == resident

    CompiledStep.__init__ = init
    try:
        history = fit(
            model,
            X,
            y,
            loss="cross_entropy",
            optimizer=optimizer,
            epochs=epochs,
            batch_size=batch_size,
            compile="numpy",
            l2_alpha=l2_alpha,
            progress=False,
            **kw,
        )
    finally:
        CompiledStep.__init__ = original
    return history, params, optimizer


def _adam_fit(model, X, y, **kw):
    """fit on the NumPy backend with the arrays kept: cross-entropy, Adam 0.05, batches of 16."""
    options = {"epochs": 5, "batch_size": 16, **kw}
    return fit(model, X, y, loss="cross_entropy", optimizer=optim.Adam(model.parameters(),
               lr=0.05), compile="numpy", progress=False, **options)  # fmt: skip


def _close(a, b):
    return all(math.isclose(x, y, rel_tol=1e-10, abs_tol=1e-12) for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize(
    "kw",
    [{}, {"opt": "sgd"}, {"l2_alpha": 1e-3}, {"freeze": True}, {"batch_size": 7}],
    ids=["adam", "sgd-momentum", "l2", "frozen-half", "ragged-last-batch"],
)
def test_resident_fit_leaves_what_the_ordinary_compiled_step_leaves(kw):
    h0, p0, o0 = _train(False, **kw)
    h1, p1, o1 = _train(True, **kw)
    assert _close(h1.cost, h0.cost) and h1.accuracy == h0.accuracy
    assert _close([p.data for p in p1], [p.data for p in p0])
    assert _close([p.grad for p in p1], [p.grad for p in p0])  # frozen ones accumulated
    s0, s1 = o0.state_dict(), o1.state_dict()
    assert s1["steps"] == s0["steps"] == len(h0.cost) * math.ceil(90 / kw.get("batch_size", 16))
    for name in o0.buffers:
        assert _close(s1[name], s0[name])
    json.dumps(s1)  # plain floats again, not NumPy's


def test_the_resident_path_is_the_one_fit_takes():
    X, y = BLOBS
    model = MLP(2, [8, 3], seed=1)
    step = CompiledStep(
        model, X, y, nn.cross_entropy, optim.Adam(model.parameters()), 0.0, "numpy", resident=True
    )
    assert step.arrays is not None
    before = [p.data for p in model.parameters()]
    cost, outputs = step(list(range(16)))
    assert outputs.shape == (16, 3) and math.isfinite(cost)
    assert [p.data for p in model.parameters()] == before  # not written back yet
    step.flush()
    assert [p.data for p in model.parameters()] != before
    assert "16 with NumPy (in 1 batch)" in step.compiled.explain()


def test_patience_and_a_callback_see_the_weights_of_the_epoch():
    X, y = BLOBS
    (Xt, yt), (Xv, yv) = data.split(X, y, test_fraction=0.3, seed=0)
    seen = []

    def callback(epoch, cost, acc):
        seen.append([p.data for p in model.parameters()])

    model = MLP(2, [8, 3], seed=1)
    _adam_fit(model, Xt, yt, epochs=4, callback=callback)
    assert seen[-1] == [p.data for p in model.parameters()]
    assert len({tuple(w) for w in seen}) == 4  # each epoch moved them, and the callback saw it
    results = []
    X, y = data.moons(80, noise=0.45, seed=0)
    (Xt, yt), (Xv, yv) = data.split(X, y, test_fraction=0.5, seed=0)
    for resident in (False, True):
        h, params, _ = _train(
            resident, Xt, yt, sizes=(32, 2), validation=(Xv, yv), patience=3, epochs=40
        )
        results.append((h, [p.data for p in params]))
    (h0, w0), (h1, w1) = results
    assert len(h1.cost) == len(h0.cost) < 40 and _close(h1.val_cost, h0.val_cost)
    assert _close(w1, w0)  # the best epoch's weights, back


def test_a_callback_that_raises_leaves_the_last_steps_numbers():
    X, y = BLOBS
    model = MLP(2, [8, 3], seed=1)

    def stop(epoch, cost, acc):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _adam_fit(model, X, y, callback=stop)
    ref = MLP(2, [8, 3], seed=1)
    _adam_fit(ref, X, y, epochs=1)
    assert [p.data for p in model.parameters()] == [p.data for p in ref.parameters()]


def test_a_diverging_run_still_says_so_and_puts_the_weights_back():
    X, y = data.moons(60, noise=0.1, seed=0)
    model = MLP(2, [16, 1], seed=0)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        h = fit(
            model,
            X,
            y,
            loss="mse",
            optimizer=optim.SGD(model.parameters(), lr=50.0),
            epochs=30,
            batch_size=20,
            compile="numpy",
            progress=False,
        )
    assert [d.kind for d in h.diagnosis][:1] == ["diverged"]
    assert any("diverged" in str(w.message) for w in said)
    assert all(math.isfinite(p.data) for p in model.parameters())
    assert len(h.cost) < 30


def test_an_optimizer_of_your_own_with_its_own_step_still_trains_compiled():
    class Halving(optim.Optimizer):
        """Moves each parameter by half its gradient, by hand."""

        def step(self):
            for p in self.params:
                p.data -= 0.5 * p.grad

    X, y = BLOBS
    runs = []
    for compiled in (False, "numpy"):
        model = MLP(2, [4, 3], seed=1)
        opt = Halving(model.parameters(), lr=0.5)
        h = fit(model, X, y, loss="cross_entropy", optimizer=opt, epochs=3, batch_size=30,
                compile=compiled, progress=False)
        runs.append((h.cost, [p.data for p in model.parameters()]))
    assert _close(runs[1][0], runs[0][0]) and _close(runs[1][1], runs[0][1])
    with pytest.raises(NotImplementedError, match="neither _rule"):
        class Nothing(optim.Optimizer):
            pass

        Nothing([Value(1.0)], lr=0.1).step()
