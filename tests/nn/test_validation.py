"""fit(validation=..., patience=...): the cost and accuracy on examples it does not train on,
and early stopping with the best weights back."""

from __future__ import annotations

import pytest

import nn
from nn import MLP, Adam, data, fit

COMPILE = [False, True]


def _digits_like():
    X, y = data.blobs(240, k=3, std=1.2, dim=4, seed=2)
    (Xa, ya), (Xb, yb) = data.split(X, y, 0.5, seed=0)
    return data.standardize(Xa, Xb), (ya, yb)


@pytest.mark.parametrize("compile", COMPILE)
def test_validation_cost_and_accuracy_are_the_model_s_at_each_epoch_end(compile):
    (Xa, Xb), (ya, yb) = _digits_like()
    model = MLP(4, [8, 3], seed=0)
    seen = []

    def after(epoch, cost, acc):  # the model as it is at the end of the epoch
        outs = [model(x) for x in Xb]
        right = sum(max(range(3), key=lambda j: o[j].data) == t for o, t in zip(outs, yb))
        seen.append((nn.cross_entropy(outs, yb).data, right / len(yb)))

    history = fit(
        model, Xa, ya, loss="cross_entropy", optimizer=Adam(model.parameters(), lr=0.02),
        epochs=6, batch_size=16, progress=False, compile=compile, validation=(Xb, yb),
        callback=after,
    )  # fmt: skip
    assert len(history.val_cost) == len(history.val_accuracy) == 6
    for (cost, acc), vc, va in zip(seen, history.val_cost, history.val_accuracy):
        assert vc == pytest.approx(cost, rel=1e-9) and va == acc
    assert "validation cost" in repr(history) and "validation cost" in history._repr_html_()


@pytest.mark.parametrize("compile", COMPILE)
def test_patience_stops_and_puts_back_the_best_epoch_s_weights(compile):
    X, y = data.moons(40, noise=0.35, seed=3)
    (Xa, ya), (Xb, yb) = data.split(X, y, 0.5, seed=0)
    model = MLP(2, [32, 32, 1], seed=0)  # big for 20 noisy points: it memorises them
    history = fit(
        model, Xa, ya, loss="bce_with_logits", optimizer=Adam(model.parameters(), lr=0.05),
        epochs=300, progress=False, compile=compile, validation=(Xb, yb), patience=10,
        diagnose=False,
    )  # fmt: skip
    assert len(history) < 300  # it stopped
    best = min(range(len(history)), key=history.val_cost.__getitem__)
    assert len(history) == best + 1 + 10  # ten epochs without a better validation cost
    again = nn.bce_with_logits([model(x) for x in Xb], yb).data
    assert again == pytest.approx(history.val_cost[best], rel=1e-9)  # the best weights back


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"patience": 3}, ValueError, r"patience needs a validation set: fit\(\.\.\., validation="),
        ({"validation": [[0.0, 1.0]]}, TypeError, r"validation must be a pair \(X_val, y_val\)"),
        ({"validation": ([[0.0]], [1])}, ValueError, "validation set: "),
        ({"validation": ([[0.0, 1.0]], [1]), "patience": 0}, ValueError, "patience must be an int"),
    ],
)
def test_bad_validation_arguments(kwargs, error, match):
    X, y = data.xor()
    with pytest.raises(error, match=match):
        fit(MLP(2, [2, 1], seed=0), X, y, epochs=1, progress=False, **kwargs)
