"""fit, predict, predict_labels and accuracy take NumPy arrays and pandas frames and series as
well as lists: the same numbers, the same History."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import nn
from nn import MLP, Adam, data, fit


def _train(X, y, Xv, yv):
    model = MLP(2, [6, 1], activation="tanh", seed=0)
    history = fit(
        model, X, y, loss="bce_with_logits", optimizer=Adam(model.parameters(), lr=0.05),
        epochs=5, batch_size=16, progress=False, validation=(Xv, yv),
    )  # fmt: skip
    return model, history


@pytest.mark.parametrize("kind", ["numpy", "pandas"])
def test_arrays_and_frames_give_the_history_of_lists(kind):
    X, y = data.moons(80, seed=0)
    (Xa, ya), (Xb, yb) = data.split(X, y, 0.25, seed=0)
    if kind == "numpy":
        args = (np.array(Xa), np.array(ya), np.array(Xb), np.array(yb))
    else:
        args = (
            pd.DataFrame(Xa, columns=["x1", "x2"]), pd.Series(ya, name="class"),
            pd.DataFrame(Xb, columns=["x1", "x2"]), pd.Series(yb),
        )  # fmt: skip
    listed, want = _train(Xa, ya, Xb, yb)
    model, got = _train(*args)
    assert got.cost == want.cost and got.accuracy == want.accuracy
    assert got.val_cost == want.val_cost and got.val_accuracy == want.val_accuracy
    assert nn.predict(model, args[2]) == nn.predict(listed, Xb)
    assert nn.predict_labels(model, args[2]) == nn.predict_labels(listed, Xb)
    assert nn.accuracy(model, args[2], args[3]) == nn.accuracy(listed, Xb, yb)
    assert all(type(t) is int for t in nn.predict_labels(model, args[2]))


def test_a_frame_of_the_wrong_width_is_refused_as_a_list_would_be():
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [0.0, 1.0], "c": [3.0, 4.0]})
    with pytest.raises(ValueError, match="the model takes 2 features per example, X has 3"):
        fit(MLP(2, [1], seed=0), frame, pd.Series([0, 1]), epochs=1, progress=False)
