"""viz.replay: a saved training run as a self-contained page, checked as text and in Chromium."""

from __future__ import annotations

import copy
import json
import math
import random
import re
import time
from pathlib import Path
from typing import Any

import pytest

from viz.replay import replay_page, save_replay

HOSTILE_TITLE = 'moons <b>bold</b> </script><script>window.pwned=1</script> & "q"'


def rotating_run(frames: int = 30, grid: int = 24, title: str = "rotating boundary") -> dict:
    """A run whose boundary (a line through the origin) turns by 90° over the frames, with
    costs that fall, and points on either side of the last boundary."""
    rng = random.Random(7)
    extent = [-2.0, 2.0, -1.5, 1.5]

    def points(n: int) -> list[list[float]]:
        out = []
        for _ in range(n):
            x, y = rng.uniform(-1.9, 1.9), rng.uniform(-1.4, 1.4)
            out.append([round(x, 4), round(y, 4), int(y > 0)])
        return out

    recorded = []
    for n in range(frames):
        angle = math.pi / 2 * n / (frames - 1)  # from a vertical boundary to a horizontal one
        nx, ny = math.cos(angle), math.sin(angle)
        heat = []
        for i in range(grid):
            y = extent[3] - (i + 0.5) * (extent[3] - extent[2]) / grid
            row = []
            for j in range(grid):
                x = extent[0] + (j + 0.5) * (extent[1] - extent[0]) / grid
                row.append(1 / (1 + math.exp(-3 * (nx * x + ny * y))))
            heat.append(row)
        recorded.append(
            {
                "epoch": 5 * n,
                "cost": 0.7 * math.exp(-n / 10) + 0.05,
                "val_cost": 0.72 * math.exp(-n / 11) + 0.08,
                "accuracy": 0.5 + 0.45 * n / (frames - 1),
                "val_accuracy": 0.5 + 0.42 * n / (frames - 1),
                "heat": heat,
            }
        )
    return {
        "title": title,
        "extent": extent,
        "train": points(80),
        "test": points(30),
        "frames": recorded,
    }


def json_data(page: str) -> Any:
    match = re.search(r'<script type="application/json" id="[^"]+-data">(.*?)</script>', page, re.S)
    assert match, "no JSON data in the page"
    return json.loads(match.group(1))


# --- validation -------------------------------------------------------------------------------


def broken(change) -> dict:
    run = rotating_run(frames=3, grid=4)
    change(run)
    return run


def _set(path: list, value):
    def change(run: dict) -> None:
        target = run
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


CASES = [
    # (what changes, the error, words the message must hold)
    (lambda r: r.pop("frames"), ValueError, ["missing ['frames']", "title"]),
    (_set(["colour"], "red"), ValueError, ["unknown ['colour']"]),
    (_set(["title"], 3), TypeError, ["run['title']", "str", "3 (int)"]),
    (_set(["extent"], [0, 1, 0]), ValueError, ["run['extent']", "[0, 1, 0]", "xmin, xmax"]),
    (_set(["extent"], [0, 1, 1, 1]), ValueError, ["run['extent']", "ymin < ymax", "[0, 1, 1, 1]"]),
    (_set(["extent", 2], "a"), TypeError, ["run['extent'][2] (ymin)", "'a' (str)"]),
    (_set(["extent", 1], float("nan")), ValueError, ["run['extent'][1] (xmax)", "nan"]),
    (_set(["train"], []), ValueError, ["run['train']", "at least one", "empty"]),
    (_set(["train", 0], [1, 2]), ValueError, ["run['train'][0]", "[1, 2]", "[x1, x2, label]"]),
    (_set(["test", 1, 2], 2), ValueError, ["run['test'][1][2]", "label", "0 or 1", "2 (int)"]),
    (_set(["test", 1, 2], True), TypeError, ["run['test'][1][2]", "True (bool)"]),
    (_set(["test"], "points"), TypeError, ["run['test']", "'points' (str)"]),
    (_set(["frames"], []), ValueError, ["run['frames']", "at least one", "empty"]),
    (_set(["frames", 1], [1]), TypeError, ["run['frames'][1]", "dict", "[1] (list)"]),
    (lambda r: r["frames"][2].pop("heat"), ValueError, ["run['frames'][2]", "missing ['heat']"]),
    (_set(["frames", 1, "epoch"], 1.5), TypeError, ["run['frames'][1]['epoch']", "int", "1.5"]),
    (
        _set(["frames", 2, "epoch"], 5),
        ValueError,
        ["run['frames'][2]['epoch']", "greater than", "(5)", "5 (int)"],
    ),
    (_set(["frames", 0, "cost"], float("inf")), ValueError, ["run['frames'][0]['cost']", "inf"]),
    (
        _set(["frames", 1, "val_accuracy"], 92),
        ValueError,
        ["run['frames'][1]['val_accuracy']", "[0, 1]", "92 (int)"],
    ),
    (
        _set(["frames", 1, "heat", 2, 3], 1.2),
        ValueError,
        ["run['frames'][1]['heat'][2][3]", "[0, 1]", "1.2 (float)"],
    ),
    (
        _set(["frames", 1, "heat", 2], [0.5] * 3),
        ValueError,
        ["run['frames'][1]['heat']", "row 2 has 3 values", "4 rows of 4"],
    ),
    (
        _set(["frames", 2, "heat"], [[0.5] * 5] * 5),
        ValueError,
        ["run['frames'][2]['heat']", "4 rows of 4", "like frame 0", "5 rows"],
    ),
    (_set(["frames", 0, "heat"], [[0.5]]), ValueError, ["run['frames'][0]['heat']", "G >= 2"]),
]


@pytest.mark.parametrize(("change", "error", "words"), CASES)
def test_validation_names_the_field_and_what_was_given(change, error, words) -> None:
    with pytest.raises(error) as caught:
        replay_page(broken(change))
    message = str(caught.value)
    for word in words:
        assert word in message, f"{word!r} is not in {message!r}"


def test_not_a_dict() -> None:
    with pytest.raises(TypeError, match=r"run must be a dict.*\[1, 2\] \(list\)"):
        replay_page([1, 2])  # type: ignore[arg-type]


def test_save_checks_the_path(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.html or \.htm, got '.*run\.txt'"):
        save_replay(rotating_run(3, 4), tmp_path / "run.txt")
    with pytest.raises(TypeError, match=r"path must be .*got 3 \(int\)"):
        save_replay(rotating_run(3, 4), 3)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_save_writes_utf8_and_leaves_nothing_else(tmp_path: Path) -> None:
    out = save_replay(rotating_run(3, 4, title="α = 0.03 · tanh \ud800"), str(tmp_path / "r.HTM"))
    assert out == tmp_path / "r.HTM"
    text = out.read_text(encoding="utf-8")
    assert "α = 0.03 · tanh \\ud800" in text
    assert [p.name for p in tmp_path.iterdir()] == ["r.HTM"]


# --- the page, statically ---------------------------------------------------------------------


def test_self_contained() -> None:
    page = replay_page(rotating_run())
    lowered = page.lower()
    assert "http://" not in lowered and "https://" not in lowered
    assert "src=" not in lowered and "<link" not in lowered
    assert "@import" not in lowered and "url(" not in lowered
    assert "<canvas" in page and 'type="range"' in page


def test_title_is_escaped_in_markup_and_json() -> None:
    page = replay_page(rotating_run(3, 4, title=HOSTILE_TITLE))
    assert "<b>" not in page and "<script>window.pwned" not in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "&amp;" in page and "&quot;q&quot;" in page
    # two </script>: the JSON's and the program's; the title's is written \u003c/script\u003e
    assert page.count("</script>") == 2
    assert "\\u003c/script\\u003e" in page
    assert json_data(page)["title"] == HOSTILE_TITLE


def test_json_is_the_run_rounded() -> None:
    run = rotating_run(4, 5)
    data = json_data(replay_page(run))
    assert data["extent"] == run["extent"] and data["train"] == run["train"]
    first = run["frames"][1]["heat"]
    # heat in thousandths: 3 decimals
    assert data["frames"][1]["heat"] == [[round(1000 * p) for p in row] for row in first]
    assert [f["epoch"] for f in data["frames"]] == [0, 5, 10, 15]


def test_the_input_is_not_changed_and_ids_are_fresh() -> None:
    run = rotating_run(3, 4)
    before = copy.deepcopy(run)
    a, b = replay_page(run), replay_page(run)
    assert run == before
    ids_a = set(re.findall(r'id="([^"]+)"', a))
    ids_b = set(re.findall(r'id="([^"]+)"', b))
    assert len(ids_a) >= 6 and not ids_a & ids_b


def test_file_size_stays_small() -> None:
    page = replay_page(rotating_run(frames=100, grid=40))
    assert len(page.encode()) < 100 * 40 * 40 * 5  # under 5 bytes per heat value


# --- in a real browser ------------------------------------------------------------------------


# (the `driver` fixture, a headless Chromium at 1280 x 720, is in tests/viz/conftest.py)


def wait_for(condition, timeout: float = 10.0, what: str = "the condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen in {timeout:.0f} s")
        time.sleep(0.05)  # the page animates on a timer: poll it


def epoch_shown(driver) -> int:
    text = driver.find_element("css selector", "[id$='-readout']").text
    match = re.match(r"Epoch (\d+)\s·", text)
    assert match, f"the readout says {text!r}"
    return int(match.group(1))


def heat_image(driver) -> str:
    return driver.execute_script("return document.querySelector('canvas').toDataURL()")


def open_run(driver, run: dict, tmp_path: Path) -> None:
    path = save_replay(run, tmp_path / "run.html")
    driver.get(path.as_uri())
    wait_for(
        lambda: driver.execute_script(
            "return document.querySelector('.gsr') && document.querySelector('.gsr').dataset.ready"
        ),
        what="the page's script to start",
    )


def test_play_pause_and_slider_in_chromium(driver, tmp_path: Path) -> None:
    run = rotating_run(frames=30, title=HOSTILE_TITLE)
    open_run(driver, run, tmp_path)
    assert driver.execute_script("return window.pwned") is None
    assert driver.find_element("css selector", "h1").text == HOSTILE_TITLE
    logs = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert logs == []

    readout = driver.find_element("css selector", "[id$='-readout']")
    assert readout.text.startswith("Epoch 0 · train cost 0.75 · train accuracy 50%")
    assert "test cost 0.8 · test accuracy 50%" in readout.text
    size = driver.execute_script(
        "const e = document.documentElement; return [e.scrollWidth, e.scrollHeight]"
    )
    assert size[0] <= 1280 and size[1] <= 720, f"the page scrolls at 1280 x 720: {size}"
    before = heat_image(driver)
    driver.save_screenshot("/tmp/replay_page.png")

    button = driver.find_element("css selector", "[id$='-play']")
    assert "Play" in button.text
    button.click()
    wait_for(lambda: epoch_shown(driver) > 0, what="an epoch > 0 in the readout")
    assert "Pause" in button.text
    wait_for(lambda: epoch_shown(driver) >= 40, what="epoch 40")
    button.click()  # pause
    assert "Play" in button.text
    stopped = epoch_shown(driver)
    assert heat_image(driver) != before
    time.sleep(0.5)  # five frames' time: nothing may move
    assert epoch_shown(driver) == stopped
    driver.save_screenshot("/tmp/replay_page_paused.png")

    driver.execute_script(
        "const s = document.querySelector('input[type=range]'); s.value = 12;"
        "s.dispatchEvent(new Event('input', {bubbles: true}));"
    )
    assert epoch_shown(driver) == 60
    at_12 = heat_image(driver)
    driver.execute_script(
        "const s = document.querySelector('input[type=range]'); s.value = 29;"
        "s.dispatchEvent(new Event('input', {bubbles: true}));"
    )
    assert epoch_shown(driver) == 145 and heat_image(driver) != at_12
    driver.save_screenshot("/tmp/replay_page_end.png")

    # at the end Play starts over from frame 0 and plays to the end, where it stops
    button.click()
    assert epoch_shown(driver) <= 5
    wait_for(
        lambda: epoch_shown(driver) == 145 and "Play" in button.text,
        timeout=10,
        what="playing to the last epoch and stopping",
    )
    size = driver.execute_script(
        "const e = document.documentElement; return [e.scrollWidth, e.scrollHeight]"
    )
    assert size[0] <= 1280 and size[1] <= 720, f"the page scrolls at 1280 x 720: {size}"


def test_the_heat_map_is_the_run_s(driver, tmp_path: Path) -> None:
    """Orange where p = 0 (left at frame 0), blue where p = 1, white at the boundary."""
    open_run(driver, rotating_run(frames=30), tmp_path)
    pixel = driver.execute_script(
        "const c = document.querySelector('canvas'), x = c.getContext('2d');"
        "const at = (u, v) => Array.from(x.getImageData(u * c.width, v * c.height, 1, 1).data);"
        "return [at(0.03, 0.5), at(0.97, 0.5), at(0.5, 0.97)];"
    )
    left, right, _ = pixel
    assert left[0] > 200 and left[2] < 120, f"not orange at the left: {left}"
    assert right[2] > 150 and right[0] < 100, f"not blue at the right: {right}"


def test_two_pages_in_one_document_play_independently(driver, tmp_path: Path) -> None:
    first, second = replay_page(rotating_run(5, 4)), replay_page(rotating_run(8, 4))

    def body(page: str) -> str:
        return page.split("<body>", 1)[1].split("</body>", 1)[0]

    both = tmp_path / "both.html"
    both.write_text(
        f"<!DOCTYPE html><html><body>{body(first)}{body(second)}</body></html>", encoding="utf-8"
    )
    driver.get(both.as_uri())
    wait_for(
        lambda: driver.execute_script(
            "return [...document.querySelectorAll('.gsr')].every(e => e.dataset.ready)"
        ),
        what="both scripts to start",
    )
    sliders = driver.find_elements("css selector", "input[type=range]")
    assert [s.get_attribute("max") for s in sliders] == ["4", "7"]
    driver.execute_script(
        "const s = arguments[0]; s.value = 6; s.dispatchEvent(new Event('input'));", sliders[1]
    )
    readouts = [e.text for e in driver.find_elements("css selector", "[id$='-readout']")]
    assert readouts[0].startswith("Epoch 0 ·") and readouts[1].startswith("Epoch 30 ·")


def test_narrow_window_keeps_everything_reachable(driver, tmp_path: Path) -> None:
    open_run(driver, rotating_run(frames=5), tmp_path)
    try:
        driver.set_window_size(420, 800)
        width = driver.execute_script("return window.innerWidth")
        scroll = driver.execute_script("return document.documentElement.scrollWidth")
        assert scroll <= width, f"the page scrolls sideways at {width} px: {scroll}"
        driver.save_screenshot("/tmp/replay_page_narrow.png")
    finally:
        driver.set_window_size(1280, 720)
        inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
        driver.set_window_size(2 * 1280 - inner[0], 2 * 720 - inner[1])


@pytest.mark.parametrize(
    ("extent", "title", "with_test"),
    [
        ([-1.0, 1.0, -1.0, 1.0], "a title long enough to need three lines " * 8, True),
        ([-1.0, 1.0, -3.0, 3.0], "a tall window, no test set", False),
        ([-6.0, 6.0, -0.5, 0.5], "a flat window", True),
    ],
)
def test_other_shapes_fit_1280_by_720(driver, tmp_path: Path, extent, title, with_test) -> None:
    run = rotating_run(frames=6, grid=8, title=title)
    run["extent"] = extent
    if not with_test:
        run["test"] = []
        for frame in run["frames"]:
            frame["val_cost"] = frame["val_accuracy"] = frame["accuracy"] = None
    open_run(driver, run, tmp_path)
    assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []
    size = driver.execute_script(
        "const e = document.documentElement; return [e.scrollWidth, e.scrollHeight]"
    )
    assert size[0] <= 1280 and size[1] <= 720, f"the page scrolls at 1280 x 720: {size}"
    box = driver.execute_script(
        "const r = document.querySelector('canvas').getBoundingClientRect();"
        "return [r.width, r.height]"
    )
    ratio = min(max((extent[1] - extent[0]) / (extent[3] - extent[2]), 0.25), 4)
    assert box[0] / box[1] == pytest.approx(ratio, rel=0.02)
    text = driver.find_element("css selector", "[id$='-readout']").text
    if with_test:
        assert "test cost" in text
    else:
        assert text == "Epoch 0 · train cost 0.75"
    driver.save_screenshot(
        f"/tmp/replay_page_{extent[1] - extent[0]:g}x{extent[3] - extent[2]:g}.png"
    )


def test_a_playground_s_saved_run_plays_in_chromium(driver, tmp_path: Path) -> None:
    from viz import Playground

    pg = Playground(seed=0)
    pg.train(25)
    open_run(driver, pg.run(), tmp_path)
    assert epoch_shown(driver) == 0
    before = heat_image(driver)
    driver.find_element("css selector", "[id$='-play']").click()
    wait_for(lambda: epoch_shown(driver) == 25, what="the last epoch, 25")
    assert heat_image(driver) != before  # the boundary moved as it did in training
