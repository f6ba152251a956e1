"""Test-suite settings shared by every test file."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

# Seeded randomness everywhere: hypothesis explores the same examples on every run, so a
# failure seen once is seen again.
settings.register_profile("gradstep", derandomize=True, deadline=None)
settings.load_profile("gradstep")

REQUIRE_ENV = "GRADSTEP_REQUIRE_SYSTEM_TOOLS"


def _missing(what: str) -> None:
    """A test needs a program pip cannot install (a browser, the system Graphviz).

    In CI (``.ci/run`` sets GRADSTEP_REQUIRE_SYSTEM_TOOLS=1 after installing them) that is a
    failure; on a machine with only Python and pip it is a skip whose reason is shown in the
    summary (pytest runs with ``-rs``), never a silent pass.
    """
    message = f"needs {what}, which is not installed"
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{message}; {REQUIRE_ENV}=1 says it must be here (.ci/run installs it)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def system_tool_missing():
    """Call it with what is missing: fails in CI, skips (with the reason shown) elsewhere."""
    return _missing


@pytest.fixture(scope="session")
def torch():
    """PyTorch, the oracle of the bridge's tests (the ``torch`` extra, part of ``.[test]``):
    a skip without it, a failure in CI (GRADSTEP_REQUIRE_SYSTEM_TOOLS=1), never a silent pass."""
    try:
        import torch
    except ImportError:
        _missing('PyTorch (pip install -e ".[torch]", the CPU build)')
    return torch


@pytest.fixture(scope="session")
def digits_model():
    """``(model, X_test, X_test_standardized, y_test)``: MLP(64, [16, 10]) trained 3 epochs on
    the digits (a quarter held out, standardized by the training set), once per session."""
    import nn

    X, y = nn.data.digits()
    (Xtr, ytr), (Xte, yte) = nn.data.split(X, y, test_fraction=0.25, seed=0)
    Xtr_s, Xte_s = nn.data.standardize(Xtr, Xte)
    model = nn.MLP(64, [16, 10], seed=0)
    nn.fit(
        model, Xtr_s, ytr, loss="cross_entropy", optimizer=nn.Adam(model.parameters(), lr=0.01),
        epochs=3, batch_size=32, compile=True, progress=False,
    )  # fmt: skip
    return model, Xte, Xte_s, yte
