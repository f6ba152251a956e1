"""The course's outputs fit the page: every chapter run in real JupyterLab, in headless
Chromium at 1280x720 (JupyterLab's default layout, file browser open), and each output
measured in the page.

At its opening view no output scrolls sideways, no SVG text is shown smaller than 9 CSS px
and no PNG is shown below 0.7 of its size. A failure lists every offending output of the
chapter, not just the first.

The whole course runs once per session (a module fixture); the checks are per chapter, so
the report names the chapters that fail. ``GRADSTEP_LAYOUT_SHOTS=folder`` also saves a
1280x720 screenshot with each picture at the top, to look at.
"""

from __future__ import annotations

import base64
import os
import shutil
import struct
import time
import urllib.parse
import zlib
from pathlib import Path

import pytest

from tests.jupyterlab import (
    CHROMEDRIVER,
    CHROMIUM,
    Output,
    Run,
    chromium,
    jupyterlab,
    measure_page,
    run_and_measure,
)

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "docs" / "course").glob("*.ipynb"))
SHOTS_ENV = "GRADSTEP_LAYOUT_SHOTS"

MIN_SVG_TEXT_PX = 9.0  # the smallest readable text, in CSS px
MIN_PNG_RATIO = 0.7  # a PNG shown smaller than this has its text shrunk past reading


@pytest.fixture(scope="module")
def course_runs(tmp_path_factory, system_tool_missing) -> dict[str, Run | Exception]:
    """Every chapter run and measured in one JupyterLab and one browser: name -> its Run.

    A chapter that could not be run maps to the exception, so the other chapters are still
    measured and the failure is reported on that chapter's test.
    """
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if shutil.which(p) is None]
    if missing:
        system_tool_missing(
            f"{' and '.join(missing)} (Debian: apt-get install chromium chromium-driver)"
        )
    for module in ("selenium", "jupyterlab", "ipykernel", "nbformat"):
        try:
            __import__(module)
        except ImportError:
            pytest.fail(f"{module} is missing: pip install -e '.[test]' (a test dependency)")
    shots = os.environ.get(SHOTS_ENV)
    workdir = tmp_path_factory.mktemp("course-layout")
    runs: dict[str, Run | Exception] = {}
    start = time.monotonic()
    with jupyterlab(CHAPTERS, workdir) as lab, chromium(workdir / "chromium-profile") as driver:
        for path in CHAPTERS:
            try:
                runs[path.name] = run_and_measure(
                    driver, lab, path.name, shots=Path(shots) if shots else None
                )
            except Exception as error:  # reported by that chapter's test
                runs[path.name] = error
    if shots:  # every output's numbers, beside the screenshots
        measured = [r for r in runs.values() if isinstance(r, Run)]
        Path(shots).mkdir(parents=True, exist_ok=True)
        (Path(shots) / "measurements.txt").write_text(measurements(measured), encoding="utf-8")
    # shown with -s, or with the summary of a failure (pytest prints captured output)
    print(f"\ncourse in JupyterLab: {time.monotonic() - start:.0f} s")
    for name, run in runs.items():
        print(f"  {name}: {run.seconds:.1f} s" if isinstance(run, Run) else f"  {name}: failed")
    return runs


def problems(out: Output) -> list[tuple[str, str]]:
    """What is wrong with one output, as (what, number) rows; nothing when it fits."""
    found = []
    for s in out.scrollers:
        found.append((f"scrolls sideways: {s.what}", f"{s.scroll_width} px in {s.client_width} px"))
    if out.svg_text_px is not None and out.svg_text_px < MIN_SVG_TEXT_PX:
        found.append(
            (
                f"SVG text {out.svg_text_what!r} < {MIN_SVG_TEXT_PX:g} px",
                f"{out.svg_text_px:.1f} px",
            )
        )
    for image in out.images:
        if image.ratio < MIN_PNG_RATIO:
            size = f"{image.declared:g} px declared" if image.declared else f"{image.natural} px"
            found.append(
                (
                    f"image shown < {MIN_PNG_RATIO:g} of its size",
                    f"{image.ratio:.2f} ({image.shown:g} px of {size})",
                )
            )
    return found


def measurements(runs: list[Run]) -> str:
    """Every output's numbers, whether they pass or not: a table to read beside the shots."""
    rows = [("notebook", "cell.output", "mime", "width", "widest", "scrolls", "svg text", "images")]
    for run in runs:
        for out in run.outputs:
            scrolls = ", ".join(f"{s.scroll_width}/{s.client_width}" for s in out.scrollers)
            text = "" if out.svg_text_px is None else f"{out.svg_text_px:.1f} {out.svg_text_what!r}"
            images = ", ".join(
                f"{i.ratio:.2f} = {i.shown:g}/{i.declared or i.natural:g}"
                + (f" (natural {i.natural})" if i.declared else "")
                for i in out.images
            )
            rows.append(
                (
                    run.notebook,
                    f"{out.cell}.{out.index}",
                    out.mime,
                    f"{out.width:g}",
                    f"{out.widest:.0f}",
                    scrolls,
                    text,
                    images,
                )
            )
    return table(rows) + "\n"


def table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def report(run: Run) -> str:
    """A table of every offending output of a chapter ('' when all fit)."""
    rows: list[tuple[str, ...]] = []
    for error in run.errors:  # "cell N: Name: message"
        cell, _, message = error.partition(": ")
        rows.append((run.notebook, cell, f"error {message}"[:80], ""))
    for out in run.outputs:
        source = out.description if len(out.description) <= 40 else out.description[:39] + "…"
        for what, number in problems(out):
            rows.append((run.notebook, f"cell {out.cell}.{out.index} {source}", what, number))
    if not rows:
        return ""
    header = ("notebook", "cell.output (index from 0) and its first line", "what", "number")
    return table([header, *rows])


@pytest.mark.parametrize("chapter", [p.name for p in CHAPTERS])
def test_outputs_fit_at_1280x720(course_runs, chapter) -> None:
    run = course_runs[chapter]
    if isinstance(run, Exception):
        raise run
    # An empty measurement would pass anything: the chapter must show its outputs.
    assert run.outputs, f"{chapter}: no output was found in the page"
    bad = report(run)
    assert not bad, f"{chapter}: outputs that do not fit at 1280x720\n{bad}"


# --- the measurement itself, on a page of known sizes -----------------------------------------


def png(width: int, height: int) -> bytes:
    """A plain red PNG of width x height pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\0" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


KNOWN_PAGE = """<!doctype html><html><body style="margin:0">
<div class="jp-Notebook">
  <div class="jp-Cell"><p>a markdown cell: no output</p></div>
  <div class="jp-Cell"><div class="jp-OutputArea-output" data-mime-type="image/svg+xml"
       style="width:500px;overflow:auto">
    <!-- 400 user units shown 200 px wide: font-size 20 is 10 px -->
    <img src="data:image/svg+xml,{svg}" style="width:200px">
  </div></div>
  <div class="jp-Cell"><div class="jp-OutputArea-output" style="width:500px;overflow:auto">
    <div class="inner" style="width:300px;overflow-x:auto"><div style="width:640px">wide</div></div>
  </div></div>
  <div class="jp-Cell"><div class="jp-OutputArea-output" style="width:500px;overflow:auto">
    <svg width="200" height="50" viewBox="0 0 400 100">
      <text x="0" y="40" font-size="16">eight</text>
      <g transform="scale(0.5)"><text x="0" y="180" font-size="16">four</text></g>
      <text x="0" y="90" font-size="8" style="display:none">hidden</text>
    </svg>
  </div></div>
  <div class="jp-Cell"><div class="jp-OutputArea-output" style="width:500px;overflow:auto">
    <img src="data:image/png;base64,{png}" width="50">
    <img src="data:image/png;base64,{png}" style="width:35px">
  </div></div>
</div></body></html>"""


def test_measurement_on_a_known_page(tmp_path, system_tool_missing) -> None:
    """The numbers the course test relies on, checked where they are known by construction."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if shutil.which(p) is None]
    if missing:
        system_tool_missing(
            f"{' and '.join(missing)} (Debian: apt-get install chromium chromium-driver)"
        )
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="100" viewBox="0 0 400 100">'
        '<text x="0" y="50" font-size="20">ten</text></svg>'
    )
    page = tmp_path / "known.html"
    page.write_text(
        KNOWN_PAGE.replace("{svg}", urllib.parse.quote(svg)).replace(
            "{png}", base64.b64encode(png(100, 10)).decode()
        ),
        encoding="utf-8",
    )
    with chromium(tmp_path / "chromium-profile") as driver:
        driver.get(page.as_uri())
        sources = ["# md", "draw()", "wide()", "inline()\nmore", "pngs()"]
        outputs = measure_page(driver, "known.ipynb", sources)

    assert [(o.cell, o.index, o.description) for o in outputs] == [
        (1, 0, "draw()"),
        (2, 0, "wide()"),
        (3, 0, "inline()"),
        (4, 0, "pngs()"),
    ]
    svg_img, wide, inline, pngs = outputs
    assert svg_img.svg_text_px == pytest.approx(10, abs=0.01)
    assert (svg_img.svg_text_what, svg_img.scrollers, svg_img.images) == ("ten", [], [])
    assert wide.svg_text_px is None and wide.width == 500
    assert [(s.what, s.scroll_width, s.client_width) for s in wide.scrollers] == [
        ("div.inner", 640, 300)
    ]
    assert wide.widest == pytest.approx(640)
    # "eight": 16 user units at 1/2; "four": also inside a scale(0.5); "hidden" is not shown
    assert inline.svg_text_px == pytest.approx(4, abs=0.01)
    assert inline.svg_text_what == "four"
    # a declared width is the image's size (gradstep's 2x figures); else its natural width
    assert [(i.shown, i.natural, i.declared, i.ratio) for i in pngs.images] == [
        (50, 100, 50, 1.0),
        (35, 100, None, 0.35),
    ]
    assert [row for out in outputs for row in problems(out)] == [
        ("scrolls sideways: div.inner", "640 px in 300 px"),
        ("SVG text 'four' < 9 px", "4.0 px"),
        ("image shown < 0.7 of its size", "0.35 (35 px of 100 px)"),
    ]
