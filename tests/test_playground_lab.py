"""The playground as a learner meets it: real JupyterLab, driven by Chromium at 1280×720.

Run the cell, press Play, read "Epoch N" rising at >= 10 epochs a second while the picture
changes every second, press Pause and see it stop. Screenshots go to the folder named by
``GRADSTEP_PLAYGROUND_SHOTS`` when it is set.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import time
from pathlib import Path

from tests.jupyterlab import CHROMEDRIVER, CHROMIUM, PANEL_JS, _state, chromium, jupyterlab

SHOTS_ENV = "GRADSTEP_PLAYGROUND_SHOTS"

#: The widget's readout and its output picture, read from the page.
_READ_JS = """
const epoch = [...document.querySelectorAll('.jp-OutputArea-output .widget-html-content')]
    .map(e => e.textContent).find(t => /^Epoch \\d+$/.test(t.trim()));
const svgs = [...document.querySelectorAll('.jp-OutputArea-output .widget-html-content svg')];
return {epoch: epoch ? parseInt(epoch.trim().slice(6)) : null,
        picture: svgs.length ? svgs[svgs.length - 1].outerHTML : ''};
"""


def _notebook(path: Path) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import viz\n\npg = viz.Playground()\npg")]
    nbformat.write(nb, path)
    return path


def _button(driver, label: str):
    from selenium.webdriver.common.by import By

    for button in driver.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output button"):
        if button.text.strip() == label:
            return button
    raise AssertionError(f"no {label!r} button in the playground's output")


def test_play_trains_live_and_pause_stops(tmp_path, system_tool_missing) -> None:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if shutil.which(p) is None]
    if missing:
        system_tool_missing(f"{' and '.join(missing)} (Debian: chromium chromium-driver)")
    from selenium.webdriver.support.ui import WebDriverWait

    shots = Path(os.environ[SHOTS_ENV]) if os.environ.get(SHOTS_ENV) else None
    notebook = _notebook(tmp_path / "playground.ipynb")
    with (
        jupyterlab([notebook], tmp_path / "lab") as lab,
        chromium(tmp_path / "chromium-profile") as driver,
    ):
        driver.get(lab.page(notebook.name, workspace="playground"))
        wait = WebDriverWait(driver, 120, poll_frequency=0.25)

        def idle(d):
            s = _state(d)
            return s if s and s["ready"] and s["kernel"] == "idle" else None

        wait.until(idle, "the notebook did not open with an idle kernel")
        driver.execute_script("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        wait.until(lambda d: d.execute_script(_READ_JS)["epoch"] == 0, "no 'Epoch 0' shown")
        if shots:
            shots.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(shots / "playground-epoch0.png"))
        _button(driver, "Play").click()
        wait.until(lambda d: (d.execute_script(_READ_JS)["epoch"] or 0) > 0, "Play did nothing")
        # Watch it play for 4 s: the epoch every 0.25 s, the picture's fingerprint with it.
        seen: list[tuple[float, int, str]] = []
        start = time.monotonic()
        while time.monotonic() - start < 4.0:
            read = driver.execute_script(_READ_JS)
            digest = hashlib.sha1(read["picture"].encode()).hexdigest()
            seen.append((time.monotonic() - start, read["epoch"], digest))
            time.sleep(0.25)
        if shots:
            driver.save_screenshot(str(shots / "playground-playing.png"))
        (t0, e0, _), (t1, e1, _) = seen[0], seen[-1]
        rate = (e1 - e0) / (t1 - t0)
        print(f"\nplayground in JupyterLab: {rate:.1f} epochs/s")
        assert rate >= 10, f"only {rate:.1f} epochs a second while playing: {seen}"
        # the picture changes at least once in every second of play
        for second in range(3):
            window = {d for t, _, d in seen if second <= t < second + 1.25}
            assert len(window) > 1, f"the picture did not change in second {second}: {seen}"
        _button(driver, "Pause").click()
        time.sleep(1.0)  # a burst under way ends; nothing starts after it
        stopped = driver.execute_script(_READ_JS)["epoch"]
        time.sleep(1.5)
        assert driver.execute_script(_READ_JS)["epoch"] == stopped, "Pause did not stop it"
        text = driver.find_element("css selector", ".jp-OutputArea-output").text
        assert re.search(r"train cost \d\.\d+, accuracy \d+%", text), text
        driver.execute_script(
            PANEL_JS + "if (panel && panel.context) { panel.context.model.dirty = false; }"
        )
