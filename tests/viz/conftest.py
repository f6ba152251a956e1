"""Fixtures shared by the viz tests."""

from __future__ import annotations

import shutil

import pytest

from tests.jupyterlab import CHROMEDRIVER, CHROMIUM, chromium


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory, system_tool_missing):
    """A headless Chromium (selenium) whose page is 1280 x 720; one per test module."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if shutil.which(p) is None]
    if missing:
        system_tool_missing(
            f"{' and '.join(missing)} (Debian: apt-get install chromium chromium-driver)"
        )
    try:
        import selenium  # noqa: F401 -- a test dependency: say so, rather than skip
    except ImportError:
        pytest.fail("selenium is missing: pip install -e '.[test]' (it is a test dependency)")
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as browser:
        yield browser
