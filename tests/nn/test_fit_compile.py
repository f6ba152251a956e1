"""fit(compile=True): the same training as the eager loop, step for step.

The oracle is ``fit`` itself without compiling: same model, same data, same seed, same
optimizer; the costs, accuracies and final weights must agree to 1e-9 (they agree far better:
the Python backend is the eager arithmetic, NumPy differs in the last bits of sums).
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from nn import MLP, data, fit, optim


def train(compiled, X, y, sizes, model_kw=None, optimizer="adam", **fit_kw):
    model = MLP(len(X[0]), sizes, seed=3, **(model_kw or {}))
    if optimizer == "adam":
        opt = optim.Adam(model.parameters(), lr=0.02)
    else:
        opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    history = fit(model, X, y, optimizer=opt, progress=False, compile=compiled, **fit_kw)
    return history, [p.data for p in model.parameters()]


def assert_same_training(X, y, sizes, **kw):
    """compile="python" is the eager run bit for bit; NumPy agrees to 1e-9."""
    h0, w0 = train(False, X, y, sizes, **kw)
    h1, w1 = train("python", X, y, sizes, **kw)
    assert (h1.cost, h1.accuracy, w1) == (h0.cost, h0.accuracy, w0)
    h2, w2 = train("numpy", X, y, sizes, **kw)
    for a, b in zip(h2.cost, h0.cost):
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12), (h2.cost, h0.cost)
    assert h2.accuracy == h0.accuracy
    for a, b in zip(w2, w0):
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return h0


MOONS = data.moons(37, noise=0.15, seed=4)
MOONS_PM1 = data.moons(37, noise=0.15, seed=4, labels="pm1")
BLOBS = data.blobs(45, k=3, seed=1)


@pytest.mark.parametrize(
    "dataset, sizes, kw",
    [
        (MOONS_PM1, [6, 1], {"loss": "hinge", "l2_alpha": 1e-3}),
        (MOONS, [6, 1], {"loss": "bce_with_logits"}),
        (MOONS, [6, 1], {"loss": "binary_cross_entropy", "model_kw": {"output": "sigmoid"}}),
        (MOONS, [6, 1], {"loss": "mse", "model_kw": {"activation": "tanh"}}),
        (MOONS, [6, 1], {"loss": "difference", "optimizer": "sgd"}),
        (BLOBS, [6, 3], {"loss": "cross_entropy", "l2_alpha": 1e-4}),
    ],
    ids=["hinge+l2", "bce_with_logits", "bce", "mse", "difference", "cross_entropy"],
)
@pytest.mark.parametrize("batch_size", [None, 8])  # 37 or 45 examples: a smaller last batch
def test_compiled_training_is_the_eager_training(dataset, sizes, kw, batch_size):
    X, y = dataset
    history = assert_same_training(X, y, sizes, epochs=6, batch_size=batch_size, **kw)
    assert history.cost[-1] < history.cost[0] or kw["loss"] == "difference"


@settings(max_examples=15, deadline=None)
@given(
    hidden=st.lists(st.integers(1, 5), min_size=0, max_size=2),
    activation=st.sampled_from(["relu", "tanh", "sigmoid", "linear"]),
    batch_size=st.one_of(st.none(), st.integers(1, 12)),
    l2_alpha=st.sampled_from([0.0, 1e-2]),
)
def test_random_networks_train_the_same_compiled(hidden, activation, batch_size, l2_alpha):
    X, y = MOONS_PM1
    assert_same_training(
        X[:20],
        y[:20],
        [*hidden, 1],
        model_kw={"activation": activation},
        loss="hinge",
        epochs=3,
        batch_size=batch_size,
        l2_alpha=l2_alpha,
    )


def assert_close_training(X, y, sizes, **kw):
    """A loss of your own: both backends agree with the eager run to 1e-9 (the gradients
    reach the weights by another order of additions: not bit for bit)."""
    h0, w0 = train(False, X, y, sizes, **kw)
    for backend in ("python", "numpy"):
        h, w = train(backend, X, y, sizes, **kw)
        assert h.accuracy == h0.accuracy
        for a, b in [*zip(h.cost, h0.cost), *zip(w, w0)]:
            assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12), backend


def test_a_loss_of_your_own_trains_as_the_eager_loop():
    X, y = data.moons(30, seed=0)

    def squared_error(outputs, targets):
        return autograd.mean([(o - t) ** 2 for o, t in zip(outputs, targets)])

    assert_close_training(X, y, [5, 1], loss=squared_error, epochs=4, batch_size=7, l2_alpha=1e-3)


def test_a_loss_of_your_own_over_several_outputs_mixing_the_examples():
    X, y = data.blobs(24, k=3, seed=2)

    def spread(outputs, targets):  # not a mean of per-example losses: the batch's max
        picked = [out[t] - autograd.logsumexp(out) for out, t in zip(outputs, targets)]
        worst = max(picked, key=lambda v: -v.data)  # reads numbers: fine, it runs eagerly
        return -worst - autograd.mean(picked)

    assert_close_training(X, y, [4, 3], loss=spread, epochs=3, batch_size=8)


def test_a_loss_of_your_own_traces_one_example_whatever_the_batch():
    # Tracing the whole minibatch cost a graph of batch × model nodes (8 GB for 1000 moons
    # through MLP(2, [32, 32, 1])): the model is traced once, for one example.
    from nn.steps import CompiledStep

    def my_mean_sq(outputs, targets):
        return autograd.mean([(o - t) ** 2 for o, t in zip(outputs, targets)])

    X, y = data.moons(300, seed=0)
    model = MLP(2, [8, 8, 1], seed=0)
    opt = optim.SGD(model.parameters(), lr=0.1)
    step = CompiledStep(model, X, y, my_mean_sq, opt, 0.0, backend="python")
    one = len(step.compiled.trace.order)
    step(range(300))
    assert step.compiled.traces == 1 and len(step.compiled.trace.order) == one < 400


def test_a_model_the_compiler_refuses_says_why_before_training():
    X, y = data.logic("and")
    model = MLP(2, [3, 1], activation="step")
    before = [p.data for p in model.parameters()]
    with pytest.raises(autograd.CompileError, match="'step' activation") as info:
        fit(model, X, y, epochs=3, progress=False, compile=True)
    assert "compile=False" in str(info.value)
    assert [p.data for p in model.parameters()] == before  # nothing was trained


def test_targets_are_checked_as_the_eager_loss_checks_them():
    X, y = data.moons(10, seed=0)  # 0/1 labels: hinge wants -1/+1
    for compiled in (False, True):
        with pytest.raises(ValueError, match="hinge\\(\\) needs labels -1 or \\+1"):
            fit(MLP(2, [1], seed=0), X, y, loss="hinge", progress=False, compile=compiled)


def test_a_probability_outside_0_1_raises_inside_the_compiled_step():
    X, y = data.moons(10, seed=0)
    model = MLP(2, [1], seed=0)  # a linear output: not a probability
    with pytest.raises(ValueError, match="needs probabilities in \\[0, 1\\]"):
        fit(model, X, y, loss="binary_cross_entropy", progress=False, compile=True, epochs=50)


def test_compile_takes_a_bool_or_a_backend():
    X, y = data.moons(10, seed=0)
    with pytest.raises(ValueError, match="compile must be False, True, 'auto'"):
        fit(MLP(2, [1]), X, y, progress=False, compile="yes")
    history = fit(MLP(2, [1], seed=0), X, y, progress=False, epochs=2, compile="auto")
    assert len(history) == 2


def test_a_loss_of_your_own_may_use_the_numbers_of_the_targets():
    X, y = data.moons(10, seed=0)

    def indexes(outputs, targets):  # a target as a list index: fine, the loss runs eagerly
        return autograd.mean([outputs[int(t)] ** 2 for t in targets])

    assert_close_training(X, y, [1], loss=indexes, epochs=3)
