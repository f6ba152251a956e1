"""Collection settings for the doctests in the packages (``--doctest-modules``).

``nn/torch_bridge.py``'s examples need PyTorch (the ``torch`` extra, which ``.[test]``
installs). Without it they are skipped, with the reason shown -- except where
GRADSTEP_REQUIRE_SYSTEM_TOOLS=1 (CI): there they run, and a missing torch fails them.
"""

from __future__ import annotations

import importlib.util
import os

import pytest

NEEDS_TORCH = {"torch_bridge.py"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if importlib.util.find_spec("torch") is not None:
        return
    if os.environ.get("GRADSTEP_REQUIRE_SYSTEM_TOOLS") == "1":
        return
    skip = pytest.mark.skip(reason='needs PyTorch, not installed: pip install -e ".[torch]"')
    for item in items:
        if item.path.name in NEEDS_TORCH and type(item).__name__ == "DoctestItem":
            item.add_marker(skip)
