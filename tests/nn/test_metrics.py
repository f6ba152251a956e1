"""nn.confusion_matrix: counts checked against a count done by hand from the predictions."""

from __future__ import annotations

import pytest

import nn
from nn.metrics import confusion


def test_digits_matrix_is_the_hand_count(digits_model):
    m, _, X, y = digits_model  # tests/conftest.py: scaled test set
    predicted = nn.predict_labels(m, X)
    classes = sorted(set(y) | set(predicted))
    by_hand = [[0] * len(classes) for _ in classes]
    for t, p in zip(y, predicted):
        by_hand[classes.index(t)][classes.index(p)] += 1
    matrix = nn.confusion_matrix(m, X, y)
    assert matrix == by_hand
    assert classes == list(range(10))
    assert all(isinstance(v, int) for row in matrix for v in row)
    assert sum(map(sum, matrix)) == len(X)
    assert [sum(row) for row in matrix] == [y.count(c) for c in classes]
    diagonal = sum(matrix[i][i] for i in range(len(classes)))
    assert diagonal / len(X) == pytest.approx(nn.accuracy(m, X, y))
    assert diagonal < len(X)  # three epochs: some mistakes to count off the diagonal


def _perceptron():
    p = nn.Perceptron(1, seed=0)
    p.w[0].data, p.b.data = 1.0, 0.0  # class 1 where x >= 0
    return p


def test_one_output_01_and_pm1_labels():
    X = [[2.0], [-1.0], [0.5], [-3.0]]
    assert nn.confusion_matrix(_perceptron(), X, [1, 0, 0, 0]) == [[2, 1], [0, 1]]
    classes, matrix, predicted = confusion(_perceptron(), X, [1, -1, -1, -1])
    assert classes == [-1, 1] and predicted == [1, -1, 1, -1]
    assert matrix == [[2, 1], [0, 1]]


def test_classes_include_predictions_never_seen_in_y():
    # every example is class 0, but the model says 1 for x >= 0: a column for class 1
    assert nn.confusion_matrix(_perceptron(), [[1.0], [-1.0]], [0, 0]) == [[1, 1], [0, 0]]


def test_accessible_from_nn():
    assert "confusion_matrix" in nn.__all__ and nn.confusion_matrix.__module__ == "nn.metrics"


@pytest.mark.parametrize(
    ("X", "y", "error", "message"),
    [
        ([], [], ValueError, "X is empty"),
        ([[1.0], [2.0]], [0], ValueError, "X has 2 examples but y has 1 labels"),
        ([[1.0]], [0.25], ValueError, "class labels.*0.25"),
        ([[1.0, 2.0]], [0], ValueError, "takes 1 features per example, X has 2"),
        ("abc", [0], TypeError, "X must be a list of examples, got str"),
        ([[1.0]], 3, TypeError, "y must be a list of class labels, got int"),
    ],
)
def test_bad_input_refused(X, y, error, message):
    with pytest.raises(error, match=message):
        nn.confusion_matrix(_perceptron(), X, y)
