"""Seeded toy datasets for lessons: pure Python, offline, deterministic.

Every generator returns ``(X, y)`` as plain lists. ``X`` has one inner list of floats per
example (its features) and ``y`` has one target per example::

    X, y = moons(100, noise=0.1, seed=0)
    X[0]  # [x1, x2]
    y[0]  # 0 or 1

Binary label convention
-----------------------
Binary classification generators (``moons``, ``circles``, ``xor``, ``linearly_separable``,
``logic``) take ``labels=``:

* ``labels="01"`` (the default): the classes are ``0`` and ``1``. Use these with a sigmoid
  output and binary cross-entropy.
* ``labels="pm1"``: the classes are ``-1`` and ``+1``. Use these with a tanh output, hinge
  loss or the perceptron rule.

Class ``0`` always maps to ``-1`` and class ``1`` to ``+1``. :func:`to_pm1` and :func:`to_01`
convert existing label lists. ``blobs`` is multi-class and uses ``0 .. k-1``. ``sine`` is
regression and its targets are floats.

Reproducibility: each call makes its own ``random.Random(seed)`` and never touches the
global ``random`` state. The same arguments give identical output. Different seeds give
different output, except where nothing is random (``xor`` with ``noise=0``, ``logic``).
"""

from __future__ import annotations

import math
import random
from typing import Any, Literal, overload

from autograd.messages import describe

__all__ = [
    "blobs",
    "breast_cancer",
    "circles",
    "digits",
    "gaussians",
    "iris",
    "linearly_separable",
    "logic",
    "moons",
    "quadrants",
    "sine",
    "spiral",
    "split",
    "standardize",
    "to_01",
    "to_pm1",
    "wine",
    "xor",
]

Dataset = tuple[list[list[float]], list[int]]
Plane = tuple[list[float], float]

_LABELS = ("01", "pm1")
_CORNERS = ((0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0))
_GATES = {
    "and": (0, 0, 0, 1),
    "or": (0, 1, 1, 1),
    "xor": (0, 1, 1, 0),
    "nand": (1, 1, 1, 0),
    "nor": (1, 0, 0, 0),
}
_MAX_MARGIN = 0.5  # keeps rejection sampling in linearly_separable fast for any dim
_BLOB_SEPARATION = 3.0  # wanted distance between blob centres


# --------------------------------------------------------------------------- validation


def _check_int(value: Any, name: str, minimum: int) -> int:
    accepted = f"an int >= {minimum}"
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be {accepted}, got {describe(value)}")
    if value < minimum:
        raise ValueError(f"{name} must be {accepted}, got {value}")
    return value


def _check_real(value: Any, name: str, accepted: str) -> float:
    """``value`` as a finite float; ``accepted`` describes the valid values for messages."""
    if isinstance(value, (bool, str, bytes)):
        raise TypeError(f"{name} must be {accepted}, got {describe(value)}")
    try:
        x = float(value)
    except (TypeError, ValueError, OverflowError):
        raise TypeError(f"{name} must be {accepted}, got {describe(value)}") from None
    if not math.isfinite(x):
        raise ValueError(f"{name} must be {accepted}, got {value!r}")
    return x


def _check_nonneg(value: Any, name: str) -> float:
    accepted = "a finite number >= 0"
    x = _check_real(value, name, accepted)
    if x < 0:
        raise ValueError(f"{name} must be {accepted}, got {value!r}")
    return x


def _check_labels(labels: Any) -> str:
    if not isinstance(labels, str) or labels not in _LABELS:
        raise ValueError(f"labels must be '01' or 'pm1', got {labels!r}")
    return labels


def _rng(seed: Any) -> random.Random:
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {describe(seed)}")
    return random.Random(seed)


# --------------------------------------------------------------------------- helpers


def _linspace(start: float, stop: float, count: int, endpoint: bool = True) -> list[float]:
    if count == 0:
        return []
    if count == 1:
        return [start]
    steps = count - 1 if endpoint else count
    return [start + (stop - start) * i / steps for i in range(count)]


def _encode(classes: list[int], labels: str) -> list[int]:
    if labels == "pm1":
        return [2 * c - 1 for c in classes]
    return list(classes)


def _finish(
    points: list[tuple[list[float], int]], noise: float, rng: random.Random, labels: str
) -> Dataset:
    """Add gaussian noise to every coordinate, shuffle, split into ``(X, y)``."""
    noisy = [([c + rng.gauss(0.0, noise) for c in x], cls) for x, cls in points]
    rng.shuffle(noisy)
    return [x for x, _ in noisy], _encode([cls for _, cls in noisy], labels)


# --------------------------------------------------------------------------- generators


def moons(n: int, noise: float = 0.1, seed: int = 0, labels: str = "01") -> Dataset:
    """Two interleaving half circles, shuffled.

    Class 0 (``n // 2`` points) lies on the outer moon ``(cos t, sin t)`` and class 1
    (``n - n // 2`` points) on the inner moon ``(1 - cos t, 0.5 - sin t)``, with ``t``
    evenly spaced in ``[0, pi]``. Gaussian noise with std ``noise`` is added to each
    coordinate.

    >>> X, y = moons(4, seed=0); len(X), len(y)
    (4, 4)
    >>> sorted(y), sorted(moons(4, labels="pm1")[1])
    ([0, 0, 1, 1], [-1, -1, 1, 1])
    >>> moons(10, seed=3) == moons(10, seed=3)
    True
    """
    n = _check_int(n, "n", 1)
    noise = _check_nonneg(noise, "noise")
    labels = _check_labels(labels)
    rng = _rng(seed)
    n_outer = n // 2
    points = [([math.cos(t), math.sin(t)], 0) for t in _linspace(0.0, math.pi, n_outer)]
    points += [
        ([1.0 - math.cos(t), 0.5 - math.sin(t)], 1) for t in _linspace(0.0, math.pi, n - n_outer)
    ]
    return _finish(points, noise, rng, labels)


def circles(
    n: int, noise: float = 0.1, factor: float = 0.5, seed: int = 0, labels: str = "01"
) -> Dataset:
    """Two concentric circles, shuffled.

    Class 0 (``n // 2`` points) lies on the unit circle and class 1 (``n - n // 2``
    points) on the circle of radius ``factor`` (0 < factor < 1), each evenly spaced in
    angle. Gaussian noise with std ``noise`` is added to each coordinate.

    >>> X, y = circles(6, noise=0.0, factor=0.5, seed=1)
    >>> sorted(round(math.hypot(*x), 6) for x in X)
    [0.5, 0.5, 0.5, 1.0, 1.0, 1.0]
    >>> sorted(y)
    [0, 0, 0, 1, 1, 1]
    """
    n = _check_int(n, "n", 1)
    noise = _check_nonneg(noise, "noise")
    accepted = "a finite number with 0 < factor < 1"
    given = factor
    factor = _check_real(factor, "factor", accepted)
    if not 0.0 < factor < 1.0:
        raise ValueError(f"factor must be {accepted}, got {given!r}")
    labels = _check_labels(labels)
    rng = _rng(seed)
    n_outer = n // 2
    points = [
        ([math.cos(t), math.sin(t)], 0)
        for t in _linspace(0.0, 2 * math.pi, n_outer, endpoint=False)
    ]
    points += [
        ([factor * math.cos(t), factor * math.sin(t)], 1)
        for t in _linspace(0.0, 2 * math.pi, n - n_outer, endpoint=False)
    ]
    return _finish(points, noise, rng, labels)


def xor(n: int = 4, noise: float = 0.0, seed: int = 0, labels: str = "01") -> Dataset:
    """Points around the corners of the unit square, labelled by XOR of the corner.

    Example ``i`` sits at corner ``i % 4`` of ``(0,0), (0,1), (1,0), (1,1)`` plus gaussian
    noise with std ``noise``; the order is not shuffled. ``xor()`` is the exact table.

    >>> xor()
    ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0])
    >>> X, y = xor(8, noise=0.1, labels="pm1"); len(X), y
    (8, [-1, 1, 1, -1, -1, 1, 1, -1])
    """
    n = _check_int(n, "n", 1)
    noise = _check_nonneg(noise, "noise")
    labels = _check_labels(labels)
    rng = _rng(seed)
    X: list[list[float]] = []
    classes: list[int] = []
    for i in range(n):
        cx, cy = _CORNERS[i % 4]
        X.append([cx + rng.gauss(0.0, noise), cy + rng.gauss(0.0, noise)])
        classes.append(int(cx != cy))
    return X, _encode(classes, labels)


def spiral(
    n: int, noise: float = 0.1, turns: float = 1.5, seed: int = 0, labels: str = "01"
) -> Dataset:
    """Two interleaved spiral arms around the origin, shuffled: TensorFlow Playground's
    hardest set (a straight line, or a few, cannot part them).

    Class 0 (``n // 2`` points) lies on the arm ``r (cos t, sin t)`` and class 1 on the same
    arm turned half a circle, with ``r`` growing from 0 to 1 as ``t`` runs through ``turns``
    full turns. Gaussian noise with std ``noise`` is added to each coordinate.

    >>> X, y = spiral(6, noise=0.0, seed=0)
    >>> sorted(y), max(round(math.hypot(*x), 6) for x in X)
    ([0, 0, 0, 1, 1, 1], 1.0)
    """
    n = _check_int(n, "n", 1)
    noise = _check_nonneg(noise, "noise")
    accepted = "a finite number > 0"
    given = turns
    turns = _check_real(turns, "turns", accepted)
    if turns <= 0:
        raise ValueError(f"turns must be {accepted}, got {given!r}")
    labels = _check_labels(labels)
    rng = _rng(seed)
    points = []
    for cls, count in ((0, n // 2), (1, n - n // 2)):
        for r in _linspace(0.0, 1.0, count):
            t = 2 * math.pi * turns * r + math.pi * cls
            points.append(([r * math.cos(t), r * math.sin(t)], cls))
    return _finish(points, noise, rng, labels)


def quadrants(n: int, noise: float = 0.1, seed: int = 0, labels: str = "01") -> Dataset:
    """XOR on the plane, as TensorFlow Playground draws it: points uniform in [-1, 1]², class
    1 where x1 and x2 have the same sign (the 1st and 3rd quadrants), class 0 elsewhere.

    Points are kept a little off the axes (|x| >= 0.05) so every label is clear, then noise
    with std ``noise`` is added to each coordinate (it may push a point across an axis).

    >>> X, y = quadrants(200, noise=0.0, seed=0)
    >>> all((a * b > 0) == bool(c) for (a, b), c in zip(X, y))
    True
    """
    n = _check_int(n, "n", 1)
    noise = _check_nonneg(noise, "noise")
    labels = _check_labels(labels)
    rng = _rng(seed)
    points = []
    for _ in range(n):
        x = [rng.choice((-1, 1)) * rng.uniform(0.05, 1.0) for _ in range(2)]
        points.append((x, int(x[0] * x[1] > 0)))
    return _finish(points, noise, rng, labels)


def gaussians(n: int, noise: float = 0.1, seed: int = 0, labels: str = "01") -> Dataset:
    """Two round gaussian clouds, centred at (-0.5, -0.5) (class 0) and (0.5, 0.5) (class 1),
    std ``0.25 + noise``: TensorFlow Playground's easiest set, one straight line parts them.

    >>> X, y = gaussians(400, seed=0)
    >>> xs = [x for x, c in zip(X, y) if c == 1]
    >>> round(sum(a for a, _ in xs) / len(xs), 1)
    0.5
    """
    n = _check_int(n, "n", 1)
    std = 0.25 + _check_nonneg(noise, "noise")
    labels = _check_labels(labels)
    rng = _rng(seed)
    points = [([-0.5, -0.5], 0) for _ in range(n // 2)]
    points += [([0.5, 0.5], 1) for _ in range(n - n // 2)]
    return _finish(points, std, rng, labels)


def _blob_centres(k: int, dim: int, rng: random.Random) -> list[list[float]]:
    if dim == 2:
        # Evenly spaced on a circle (radius 3, larger for k > 6 so neighbours stay 3 apart).
        radius = 3.0 if k <= 6 else _BLOB_SEPARATION / (2 * math.sin(math.pi / k))
        offset = rng.uniform(0.0, 2 * math.pi)
        return [
            [
                radius * math.cos(offset + 2 * math.pi * j / k),
                radius * math.sin(offset + 2 * math.pi * j / k),
            ]
            for j in range(k)
        ]
    # Uniform in [-5, 5]^dim, rejecting centres closer than _BLOB_SEPARATION to an earlier
    # one; after 200 tries keep the candidate farthest from the others.
    centres: list[list[float]] = []
    for _ in range(k):
        best: list[float] = []
        best_gap = -1.0
        for _ in range(200):
            cand = [rng.uniform(-5.0, 5.0) for _ in range(dim)]
            gap = min((math.dist(cand, c) for c in centres), default=math.inf)
            if gap > best_gap:
                best, best_gap = cand, gap
            if gap >= _BLOB_SEPARATION:
                break
        centres.append(best)
    return centres


def blobs(n: int, k: int = 3, std: float = 0.5, dim: int = 2, seed: int = 0) -> Dataset:
    """``k`` gaussian clusters in ``dim`` dimensions, labelled ``0 .. k-1``, shuffled.

    Classes are as balanced as possible (each has ``n // k`` or ``n // k + 1`` points, so
    ``n >= k`` is required). Centres come from the seed: for ``dim == 2`` evenly spaced on a
    circle of radius 3 (wider for ``k > 6``) with a random rotation, otherwise uniform in
    ``[-5, 5]^dim`` and at least 3 apart when that can be found.

    >>> X, y = blobs(7, k=3, seed=0); len(X), len(X[0]), sorted(y)
    (7, 2, [0, 0, 0, 1, 1, 2, 2])
    >>> X, y = blobs(4, k=2, dim=5, seed=0); len(X[0])
    5
    """
    n = _check_int(n, "n", 1)
    k = _check_int(k, "k", 1)
    if n < k:
        raise ValueError(f"blobs needs n >= k (at least one point per class), got n={n}, k={k}")
    std = _check_nonneg(std, "std")
    dim = _check_int(dim, "dim", 1)
    rng = _rng(seed)
    centres = _blob_centres(k, dim, rng)
    classes = [i % k for i in range(n)]
    rng.shuffle(classes)
    X = [[c + rng.gauss(0.0, std) for c in centres[j]] for j in classes]
    return X, classes


@overload
def linearly_separable(
    n: int,
    dim: int = ...,
    margin: float = ...,
    seed: int = ...,
    labels: str = ...,
    return_plane: Literal[False] = ...,
) -> Dataset: ...
@overload
def linearly_separable(
    n: int,
    dim: int = ...,
    margin: float = ...,
    seed: int = ...,
    labels: str = ...,
    *,
    return_plane: Literal[True],
) -> tuple[list[list[float]], list[int], Plane]: ...
def linearly_separable(
    n: int,
    dim: int = 2,
    margin: float = 0.1,
    seed: int = 0,
    labels: str = "01",
    return_plane: bool = False,
) -> Dataset | tuple[list[list[float]], list[int], Plane]:
    """Points uniform in ``[-1, 1]^dim``, split by a seeded random hyperplane.

    The plane is ``w . x + b = 0`` with ``w`` a random unit vector and ``b`` uniform in
    ``[-0.1, 0.1]``. Points whose distance to the plane is ``<= margin`` are redrawn, so
    every point has ``|w . x + b| > margin`` and the set is strictly separable. Class 1
    is the side where ``w . x + b > 0``. ``margin`` must be in ``[0, 0.5)``. With
    ``return_plane=True`` the result is ``(X, y, (w, b))``.

    >>> X, y = linearly_separable(20, dim=3, seed=0); len(X), len(X[0]), set(y) <= {0, 1}
    (20, 3, True)
    >>> X, y, (w, b) = linearly_separable(50, margin=0.2, return_plane=True)
    >>> all(abs(sum(wi * xi for wi, xi in zip(w, x)) + b) > 0.2 for x in X)
    True
    """
    n = _check_int(n, "n", 1)
    dim = _check_int(dim, "dim", 1)
    accepted = f"a finite number with 0 <= margin < {_MAX_MARGIN}"
    given = margin
    margin = _check_real(margin, "margin", accepted)
    if not 0.0 <= margin < _MAX_MARGIN:
        raise ValueError(f"margin must be {accepted}, got {given!r}")
    labels = _check_labels(labels)
    if not isinstance(return_plane, bool):
        raise TypeError(f"return_plane must be True or False, got {describe(return_plane)}")
    rng = _rng(seed)
    norm = 0.0
    while norm == 0.0:
        w = [rng.gauss(0.0, 1.0) for _ in range(dim)]
        norm = math.sqrt(sum(wi * wi for wi in w))
    w = [wi / norm for wi in w]
    b = rng.uniform(-0.1, 0.1)
    X: list[list[float]] = []
    classes: list[int] = []
    while len(X) < n:
        x = [rng.uniform(-1.0, 1.0) for _ in range(dim)]
        side = sum(wi * xi for wi, xi in zip(w, x)) + b
        if abs(side) <= margin:
            continue
        X.append(x)
        classes.append(1 if side > 0 else 0)
    y = _encode(classes, labels)
    if return_plane:
        return X, y, (w, b)
    return X, y


def logic(gate: str, labels: str = "01") -> Dataset:
    """The 4-row truth table of a two-input gate: "and", "or", "xor", "nand" or "nor".

    ``X`` is always ``[[0, 0], [0, 1], [1, 0], [1, 1]]`` (as floats). Gate names are
    case-insensitive.

    >>> logic("and")
    ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 0, 0, 1])
    >>> logic("nor", labels="pm1")[1]
    [1, -1, -1, -1]
    """
    accepted = ", ".join(repr(g) for g in _GATES)
    if not isinstance(gate, str):
        raise TypeError(f"gate must be a string, one of {accepted}; got {describe(gate)}")
    table = _GATES.get(gate.lower())
    if table is None:
        raise ValueError(f"unknown gate {gate!r}; accepted gates: {accepted}")
    labels = _check_labels(labels)
    return [list(corner) for corner in _CORNERS], _encode(list(table), labels)


def sine(
    n: int,
    noise: float = 0.0,
    seed: int = 0,
    xmin: float = -math.pi,
    xmax: float = math.pi,
) -> tuple[list[list[float]], list[float]]:
    """Regression data: ``x`` uniform in ``[xmin, xmax]``, ``y = sin(x) + noise``.

    ``X`` is ``[[x], ...]`` in random (unsorted) order; ``noise`` is the std of gaussian
    noise added to ``y``.

    >>> X, y = sine(5, seed=0); len(X), len(X[0])
    (5, 1)
    >>> all(abs(t - math.sin(x)) < 1e-12 for (x,), t in zip(X, y))
    True
    """
    n = _check_int(n, "n", 1)
    noise = _check_nonneg(noise, "noise")
    xmin = _check_real(xmin, "xmin", "a finite number")
    xmax = _check_real(xmax, "xmax", "a finite number")
    if not xmin < xmax:
        raise ValueError(f"xmin must be < xmax, got xmin={xmin!r}, xmax={xmax!r}")
    rng = _rng(seed)
    xs = [rng.uniform(xmin, xmax) for _ in range(n)]
    return [[x] for x in xs], [math.sin(x) + rng.gauss(0.0, noise) for x in xs]


# --------------------------------------------------------------------------- label conversion


def to_pm1(y: Any) -> list[int]:
    """Convert 0/1 labels to -1/+1 (0 -> -1, 1 -> +1). Any other value is a ValueError.

    >>> to_pm1([0, 1, 1, 0])
    [-1, 1, 1, -1]
    """
    out: list[int] = []
    for i, v in enumerate(y):
        if v == 0:
            out.append(-1)
        elif v == 1:
            out.append(1)
        else:
            hint = " (the labels look like -1/+1 already)" if v == -1 else ""
            raise ValueError(f"to_pm1 expects 0/1 labels, got {v!r} at index {i}{hint}")
    return out


def to_01(y: Any) -> list[int]:
    """Convert -1/+1 labels to 0/1 (-1 -> 0, +1 -> 1). Any other value is a ValueError.

    >>> to_01([-1, 1, 1, -1])
    [0, 1, 1, 0]
    """
    out: list[int] = []
    for i, v in enumerate(y):
        if v == -1:
            out.append(0)
        elif v == 1:
            out.append(1)
        else:
            hint = " (the labels look like 0/1 already)" if v == 0 else ""
            raise ValueError(f"to_01 expects -1/+1 labels, got {v!r} at index {i}{hint}")
    return out


def split(
    X: Any, y: Any, test_fraction: float = 0.25, seed: int = 0
) -> tuple[tuple[list[Any], list[Any]], tuple[list[Any], list[Any]]]:
    """``(X_train, y_train), (X_test, y_test)``: a seeded split, stratified by class.

    Each class gives ``round(test_fraction * its count)`` examples to the test set (at least
    one stays in training), chosen with ``random.Random(seed)``; both sets keep the order of
    ``X``. The test set is what the network never trains on: how it does there is how it
    does on examples it has not seen.

    >>> X, y = moons(100, seed=0)
    >>> (Xtr, ytr), (Xte, yte) = split(X, y, test_fraction=0.25, seed=0)
    >>> len(Xtr), len(Xte), sum(yte)
    (76, 24, 12)
    """
    accepted = "a number with 0 < test_fraction < 1"
    fraction = _check_real(test_fraction, "test_fraction", accepted)
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"test_fraction must be {accepted}, got {test_fraction!r}")
    X, y = list(X), list(y)
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} examples but y has {len(y)} targets")
    rng = _rng(seed)
    by_class: dict[Any, list[int]] = {}
    for i, target in enumerate(y):
        by_class.setdefault(target, []).append(i)
    test: set[int] = set()
    for target in sorted(by_class, key=repr):  # a fixed order: the same split every time
        members = by_class[target]
        k = min(len(members) - 1, max(0, round(fraction * len(members))))
        test.update(rng.sample(members, k))
    train_i = [i for i in range(len(X)) if i not in test]
    test_i = [i for i in range(len(X)) if i in test]
    return ([X[i] for i in train_i], [y[i] for i in train_i]), (
        [X[i] for i in test_i],
        [y[i] for i in test_i],
    )


# --------------------------------------------------------------------------- real data


def _bundled(name: str) -> Dataset:
    """One of scikit-learn's bundled data sets (shipped inside the package: no download) as
    gradstep's ``(X, y)``: lists of floats and int classes."""
    try:
        from sklearn import datasets
    except ImportError:
        raise ImportError(
            f"nn.data.{name}() reads scikit-learn's bundled copy of the data set: "
            'pip install "gradstep[data]" (or pip install scikit-learn)'
        ) from None
    bunch = getattr(datasets, f"load_{name}")()
    return bunch.data.astype(float).tolist(), [int(t) for t in bunch.target]


def digits() -> Dataset:
    """Handwritten digits: 1,797 images of 8×8 pixels (64 inputs, each 0-16), classes 0-9.

    The article's "hello world" of image classification, small enough to train here in
    seconds. Row ``X[i]`` is the image read row by row; ``viz.plot_images(X, y, shape=(8, 8))``
    shows them. Needs scikit-learn (``pip install "gradstep[data]"``), which ships the data.
    """
    return _bundled("digits")


def iris() -> Dataset:
    """Fisher's irises: 150 flowers, 4 measurements (cm), 3 species (0, 1, 2)."""
    return _bundled("iris")


def breast_cancer() -> Dataset:
    """Breast cancer (Wisconsin diagnostic): 569 cases, 30 measurements, 0 malignant, 1 benign."""
    return _bundled("breast_cancer")


def wine() -> Dataset:
    """Wines: 178 wines, 13 chemical measurements, 3 cultivars (0, 1, 2)."""
    return _bundled("wine")


@overload
def standardize(X_train: Any, X_test: None = None) -> tuple[list[list[float]], None]: ...
@overload
def standardize(X_train: Any, X_test: Any) -> tuple[list[list[float]], list[list[float]]]: ...
def standardize(
    X_train: Any, X_test: Any = None
) -> tuple[list[list[float]], list[list[float]] | None]:
    """Both sets scaled by the *training* set's mean and standard deviation, column by column:
    each training feature then has mean 0 and std 1.

    Why the training set's: the test set stands for examples the network has never seen; if
    its numbers shaped the scaling, something of it would leak into training and the test
    score would flatter. A column that never varies (std 0) is only centred.

    >>> train, test = standardize([[1.0, 5.0], [3.0, 5.0]], [[2.0, 6.0]])
    >>> train, test
    ([[-1.0, 0.0], [1.0, 0.0]], [[0.0, 1.0]])
    """
    rows = [[float(v) for v in row] for row in X_train]
    if not rows:
        raise ValueError("X_train is empty: standardize needs at least one training example")
    width = len(rows[0])
    if any(len(r) != width for r in rows):
        raise ValueError(f"every training example needs {width} features (the first one's)")
    n = len(rows)
    means = [math.fsum(r[k] for r in rows) / n for k in range(width)]
    stds = [math.sqrt(math.fsum((r[k] - means[k]) ** 2 for r in rows) / n) for k in range(width)]
    scale = [s if s > 0 else 1.0 for s in stds]

    def scaled(data: list[list[float]]) -> list[list[float]]:
        return [[(v - m) / s for v, m, s in zip(r, means, scale)] for r in data]

    test = None
    if X_test is not None:
        test_rows = [[float(v) for v in row] for row in X_test]
        bad = [i for i, r in enumerate(test_rows) if len(r) != width]
        if bad:
            raise ValueError(
                f"X_test[{bad[0]}] has {len(test_rows[bad[0]])} features, the training set {width}"
            )
        test = scaled(test_rows)
    return scaled(rows), test
