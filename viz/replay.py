"""A recorded training run as one self-contained web page that replays it.

:func:`replay_page` turns a run -- a JSON-able ``dict`` with the data set, and one frame per
recorded epoch holding the costs and a G x G heat map of the network's predicted probability of
class 1 -- into the text of a web page: the heat map (orange for class 0, white at 0.5, blue for
class 1) with the training points (filled dots) and test points (rings) on it, the cost curves
with a marker at the current epoch, a Play/Pause button, a slider over the frames and a readout
of the current epoch's numbers. Everything is inline: the page works offline, from a file, in a
teacher's slides. :func:`save_replay` writes it to an ``.html`` file.

The run's layout::

    {
      "title": str,
      "extent": [xmin, xmax, ymin, ymax],  # the window the heat map covers
      "train": [[x1, x2, label], ...],     # label 0 or 1; at least one point
      "test":  [[x1, x2, label], ...],     # may be empty
      "frames": [                          # frame 0: before training; epochs increase
        {"epoch": int, "cost": float | None, "val_cost": float | None,
         "accuracy": float | None, "val_accuracy": float | None,   # accuracies in [0, 1]
         "heat": [[p, ...], ...]},         # G x G, the same G in every frame, p in [0, 1]
      ],
    }

``heat[i][j]`` is the probability at the centre of cell (i, j) when the extent is cut into
G x G equal cells: row 0 is the top one (y near ymax), column 0 the left one (x near xmin).

>>> from viz.replay import replay_page
>>> run = {
...     "title": "a tiny run",
...     "extent": [-1, 1, -1, 1],
...     "train": [[-0.5, 0.5, 0], [0.5, -0.5, 1]],
...     "test": [],
...     "frames": [
...         {"epoch": 0, "cost": 0.7, "val_cost": None, "accuracy": 0.5,
...          "val_accuracy": None, "heat": [[0.5, 0.5], [0.5, 0.5]]},
...         {"epoch": 1, "cost": 0.4, "val_cost": None, "accuracy": 1.0,
...          "val_accuracy": None, "heat": [[0.1, 0.6], [0.4, 0.9]]},
...     ],
... }
>>> page = replay_page(run)
>>> "<canvas" in page, "http" in page, page.startswith("<!DOCTYPE html>")
(True, False, True)
"""

from __future__ import annotations

import html
import math
import numbers
import os
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from nn.module import _write_atomically

from .html import _json_for_script  # the stepper's: JSON that cannot end its <script>
from .names import printable

__all__ = ["replay_page", "save_replay"]

_KEYS = ("title", "extent", "train", "test", "frames")
#: Stands for a page's id prefix in _CSS and _JS.
_UID = "__UID__"
_FRAME_KEYS = ("epoch", "cost", "val_cost", "accuracy", "val_accuracy", "heat")


# --- validation --------------------------------------------------------------------------------


def _shown(value: object, limit: int = 60) -> str:
    """``value`` as a short text for an error message: its repr and its type."""
    text = repr(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"{text} ({type(value).__name__})"


def _is_sequence(value: object) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes, bytearray))


def _number(
    value: object,
    where: str,
    *,
    low: float | None = None,
    high: float | None = None,
    what: str = "a finite number",
) -> float:
    """``value`` as a float, or TypeError/ValueError naming ``where`` and what it got."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where} must be {what}, got {_shown(value)}")
    x = float(value)
    if not math.isfinite(x) or (low is not None and x < low) or (high is not None and x > high):
        raise ValueError(f"{where} must be {what}, got {_shown(value)}")
    return x


def _points(value: object, where: str, *, allow_empty: bool) -> list[list[float]]:
    accepted = "a list of [x1, x2, label] points with label 0 or 1"
    if not _is_sequence(value):
        raise TypeError(f"{where} must be {accepted}, got {_shown(value)}")
    assert isinstance(value, Sequence)
    if not value and not allow_empty:
        raise ValueError(f"{where} must be {accepted}, at least one; got an empty list")
    points = []
    for k, point in enumerate(value):
        at = f"{where}[{k}]"
        if not _is_sequence(point) or len(point) != 3:
            raise (TypeError if not _is_sequence(point) else ValueError)(
                f"{at} must be a point [x1, x2, label], got {_shown(point)}"
            )
        x1 = _number(point[0], f"{at}[0] (x1)")
        x2 = _number(point[1], f"{at}[1] (x2)")
        label = point[2]
        if isinstance(label, bool) or not isinstance(label, numbers.Real):
            raise TypeError(f"{at}[2] (the label) must be 0 or 1, got {_shown(label)}")
        if label not in (0, 1):
            raise ValueError(f"{at}[2] (the label) must be 0 or 1, got {_shown(label)}")
        points.append([_short(x1), _short(x2), 0 if label == 0 else 1])
    return points


def _short(x: float) -> float:
    """``x`` to 6 significant digits: plenty for a dot on a screen, and a small file."""
    return float(f"{x:.6g}")


def _heat(value: object, where: str, size: int | None) -> list[list[int]]:
    """The heat map as integers in thousandths (0..1000): ``p`` rounded to 3 decimals."""
    accepted = "a G x G list of lists of probabilities in [0, 1] (G >= 2)"
    if size is not None:
        accepted = f"{size} rows of {size} probabilities in [0, 1], like frame 0's"
    if not _is_sequence(value):
        raise TypeError(f"{where} must be {accepted}, got {_shown(value)}")
    assert isinstance(value, Sequence)
    g = len(value) if size is None else size
    if len(value) != g or g < 2:
        raise ValueError(f"{where} must be {accepted}, got {len(value)} rows")
    rows = []
    for i, row in enumerate(value):
        if not _is_sequence(row):
            raise TypeError(f"{where}[{i}] must be a row of {g} probabilities, got {_shown(row)}")
        if len(row) != g:
            raise ValueError(f"{where} must be {accepted}; row {i} has {len(row)} values, not {g}")
        rows.append(
            [
                round(
                    1000
                    * _number(
                        p, f"{where}[{i}][{j}]", low=0, high=1, what="a probability in [0, 1]"
                    )
                )
                for j, p in enumerate(row)
            ]
        )
    return rows


def _optional(value: object, where: str, what: str, high: float | None = None) -> float | None:
    if value is None:
        return None
    return _short(_number(value, where, low=0, high=high, what=f"{what} or None"))


def _validated(run: object) -> dict[str, Any]:
    """A clean copy of ``run`` (floats, rounded), or an error saying what is wrong."""
    if not isinstance(run, Mapping):
        raise TypeError(f"run must be a dict with the keys {', '.join(_KEYS)}; got {_shown(run)}")
    missing = [k for k in _KEYS if k not in run]
    unknown = [k for k in run if k not in _KEYS]
    if missing or unknown:
        said = [f"missing {missing}" if missing else "", f"unknown {unknown}" if unknown else ""]
        raise ValueError(
            f"run must have exactly the keys {list(_KEYS)}: {' and '.join(s for s in said if s)}"
        )

    title = run["title"]
    if not isinstance(title, str):
        raise TypeError(f"run['title'] must be a str, got {_shown(title)}")

    extent = run["extent"]
    if not _is_sequence(extent) or len(extent) != 4:
        raise (TypeError if not _is_sequence(extent) else ValueError)(
            f"run['extent'] must be [xmin, xmax, ymin, ymax], got {_shown(extent)}"
        )
    xmin, xmax, ymin, ymax = (
        _number(v, f"run['extent'][{k}] ({name})")
        for k, (v, name) in enumerate(zip(extent, ("xmin", "xmax", "ymin", "ymax")))
    )
    if not (xmin < xmax and ymin < ymax):
        raise ValueError(
            f"run['extent'] must be [xmin, xmax, ymin, ymax] with xmin < xmax and ymin < ymax, "
            f"got {_shown(extent)}"
        )

    train = _points(run["train"], "run['train']", allow_empty=False)
    test = _points(run["test"], "run['test']", allow_empty=True)

    frames_in = run["frames"]
    if not _is_sequence(frames_in):
        raise TypeError(f"run['frames'] must be a list of frame dicts, got {_shown(frames_in)}")
    if not frames_in:
        raise ValueError("run['frames'] must hold at least one frame (epoch 0), got an empty list")
    frames: list[dict[str, Any]] = []
    size: int | None = None
    for n, frame in enumerate(frames_in):
        at = f"run['frames'][{n}]"
        if not isinstance(frame, Mapping):
            raise TypeError(
                f"{at} must be a dict with the keys {', '.join(_FRAME_KEYS)}; got {_shown(frame)}"
            )
        missing = [k for k in _FRAME_KEYS if k not in frame]
        unknown = [k for k in frame if k not in _FRAME_KEYS]
        if missing or unknown:
            said = [
                f"missing {missing}" if missing else "",
                f"unknown {unknown}" if unknown else "",
            ]
            raise ValueError(
                f"{at} must have exactly the keys {list(_FRAME_KEYS)}: "
                f"{' and '.join(s for s in said if s)}"
            )
        epoch = frame["epoch"]
        if isinstance(epoch, bool) or not isinstance(epoch, numbers.Integral):
            raise TypeError(f"{at}['epoch'] must be an int >= 0, got {_shown(epoch)}")
        if epoch < 0:
            raise ValueError(f"{at}['epoch'] must be an int >= 0, got {_shown(epoch)}")
        if frames and int(epoch) <= frames[-1]["epoch"]:
            raise ValueError(
                f"{at}['epoch'] must be greater than the frame before's ({frames[-1]['epoch']}): "
                f"epochs increase; got {_shown(epoch)}"
            )
        heat = _heat(frame["heat"], f"{at}['heat']", size)
        size = len(heat)
        frames.append(
            {
                "epoch": int(epoch),
                # None: the cost overflowed (a learning rate too large); the page shows a gap.
                "cost": _optional(frame["cost"], f"{at}['cost']", "a finite number >= 0"),
                "val_cost": _optional(
                    frame["val_cost"], f"{at}['val_cost']", "a finite number >= 0"
                ),
                "accuracy": _optional(
                    frame["accuracy"], f"{at}['accuracy']", "a fraction in [0, 1]", high=1
                ),
                "val_accuracy": _optional(
                    frame["val_accuracy"], f"{at}['val_accuracy']", "a fraction in [0, 1]", high=1
                ),
                "heat": heat,
            }
        )
    return {
        "title": printable(title),
        "extent": [xmin, xmax, ymin, ymax],
        "train": train,
        "test": test,
        "frames": frames,
    }


# --- the page ----------------------------------------------------------------------------------


def _fmt(x: float) -> str:
    return f"{x:.4g}".replace("-", "−")


_CSS = """
#__UID__{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
  color:#1f2937;padding:12px 16px;box-sizing:border-box;max-width:1280px}
#__UID__ *{box-sizing:border-box}
#__UID__ .gsr-title{font-size:18px;font-weight:600;margin:0 0 10px;line-height:1.3;
  overflow-wrap:anywhere;display:-webkit-box;-webkit-line-clamp:2;line-clamp:2;
  -webkit-box-orient:vertical;overflow:hidden}
#__UID__ .gsr-main{display:flex;flex-wrap:wrap;gap:16px 24px;align-items:flex-start}
#__UID__ .gsr-heat{display:block;width:min(calc((100vh - 96px) * __RATIO__),calc(100vw - 32px),
  __WIDEST__px);min-width:200px;aspect-ratio:__RATIO__;height:auto;border:1px solid #6b7280;
  border-radius:3px;background:#fff}
#__UID__ .gsr-side{flex:1 1 340px;min-width:0;max-width:560px;display:flex;flex-direction:column;
  gap:12px}
#__UID__ .gsr-controls{display:flex;align-items:center;gap:12px}
#__UID__ .gsr-play{font:inherit;font-weight:600;min-width:92px;padding:6px 12px;border-radius:4px;
  border:1px solid #4b5563;background:#f9fafb;color:#111827;cursor:pointer}
#__UID__ .gsr-play:hover{background:#e5e7eb}
#__UID__ .gsr-play:focus-visible,#__UID__ .gsr-slider:focus-visible{outline:2px solid #0877bd;
  outline-offset:2px}
#__UID__ .gsr-slider{flex:1 1 auto;min-width:80px;accent-color:#374151}
#__UID__ .gsr-readout{font-variant-numeric:tabular-nums;min-height:2.8em}
#__UID__ .gsr-part{white-space:nowrap}
#__UID__ .gsr-epoch{font-size:20px;font-weight:700;margin-right:4px}
#__UID__ .gsr-chart{display:block;width:100%;height:auto}
#__UID__ .gsr-legend{display:flex;flex-wrap:wrap;gap:4px 18px;align-items:center;color:#374151}
#__UID__ .gsr-legend span{display:inline-flex;align-items:center;gap:5px;white-space:nowrap}
#__UID__ .gsr-ramp{display:inline-block;width:90px;height:10px;border:1px solid #9ca3af;
  background:linear-gradient(90deg,#e8801c,#fff,#0877bd)}
#__UID__ .gsr-note{color:#6b7280;font-size:12.5px}
"""

_JS = r"""
(function () {
  var root = document.getElementById("__UID__");
  var data = JSON.parse(document.getElementById("__UID__-data").textContent);
  var frames = data.frames, ext = data.extent, G = frames[0].heat.length;
  function part(name) { return document.getElementById("__UID__-" + name); }
  var canvas = part("heat"), button = part("play"), slider = part("slider");
  var readout = part("readout"), chart = part("chart");
  var ORANGE = [232, 128, 28], BLUE = [8, 119, 189], DARK = "#1f2937";
  var current = 0, timer = null;

  // p in [0, 1] -> orange (0), white (0.5), blue (1); the ends lightened a little so the
  // points, in the full colours, stand out on them.
  function mix(p) {
    var c = p < 0.5 ? ORANGE : BLUE, t = Math.abs(p - 0.5) * 2 * 0.78;
    return [255 + (c[0] - 255) * t, 255 + (c[1] - 255) * t, 255 + (c[2] - 255) * t];
  }
  var small = document.createElement("canvas");
  small.width = G; small.height = G;
  var sctx = small.getContext("2d"), image = sctx.createImageData(G, G);

  function drawHeat() {
    var dpr = window.devicePixelRatio || 1;
    var w = Math.max(1, Math.round(canvas.clientWidth * dpr));
    var h = Math.max(1, Math.round(canvas.clientHeight * dpr));
    if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
    var heat = frames[current].heat, px = image.data;
    for (var i = 0; i < G; i++) for (var j = 0; j < G; j++) {
      var c = mix(heat[i][j] / 1000), k = 4 * (i * G + j);
      px[k] = c[0]; px[k + 1] = c[1]; px[k + 2] = c[2]; px[k + 3] = 255;
    }
    sctx.putImageData(image, 0, 0);
    var ctx = canvas.getContext("2d");
    ctx.imageSmoothingEnabled = true; ctx.imageSmoothingQuality = "high";
    ctx.drawImage(small, 0, 0, w, h);
    // the dots' radius follows the canvas's area, so a flat window's dots are not tiny
    var r = Math.min(7 * dpr, Math.max(3.5 * dpr, Math.sqrt(w * h) / 110));
    function at(pt) {
      return [(pt[0] - ext[0]) / (ext[1] - ext[0]) * w, (ext[3] - pt[1]) / (ext[3] - ext[2]) * h];
    }
    function colour(label) { var c = label ? BLUE : ORANGE; return "rgb(" + c.join(",") + ")"; }
    data.train.forEach(function (pt) {
      var q = at(pt);
      ctx.beginPath(); ctx.arc(q[0], q[1], r, 0, 2 * Math.PI);
      ctx.fillStyle = colour(pt[2]); ctx.fill();
      ctx.lineWidth = Math.max(1, r / 3.5); ctx.strokeStyle = DARK; ctx.stroke();
    });
    data.test.forEach(function (pt) {  // rings: the class colour between two dark edges
      var q = at(pt), w = Math.max(1.5, r / 1.8);
      ctx.beginPath(); ctx.arc(q[0], q[1], r, 0, 2 * Math.PI);
      ctx.lineWidth = w + 2 * Math.max(1, r / 4); ctx.strokeStyle = DARK; ctx.stroke();
      ctx.lineWidth = w; ctx.strokeStyle = colour(pt[2]); ctx.stroke();
    });
  }

  // --- the cost curves, an SVG drawn once; the marker moves -----------------------------
  var NS = chart.namespaceURI;  // the chart is an inline <svg>: no namespace URL to write
  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var a in attrs) e.setAttribute(a, attrs[a]);
    if (parent) parent.appendChild(e);
    return e;
  }
  var W = 460, H = 230, L = 52, R = 12, T = 26, B = 36;
  var e0 = frames[0].epoch, e1 = frames[frames.length - 1].epoch;
  var hasTest = frames.some(function (f) { return f.val_cost !== null; });
  var top = 0;
  frames.forEach(function (f) {
    top = Math.max(top, f.cost === null ? 0 : f.cost, f.val_cost === null ? 0 : f.val_cost);
  });
  if (!(top > 0)) top = 1;
  function nice(x) {  // the smallest of 1, 2, 2.5, 5 times a power of 10 that is >= x
    var p = Math.pow(10, Math.floor(Math.log10(x))), m = x / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * p;
  }
  top = nice(top);
  function X(epoch) { return L + (e1 === e0 ? 0.5 : (epoch - e0) / (e1 - e0)) * (W - L - R); }
  function Y(cost) { return T + (1 - cost / top) * (H - T - B); }
  function fmtTick(v) { return String(+v.toPrecision(3)); }
  var svg = chart;
  function text(x, y, s, attrs) {
    var t = el("text", Object.assign({x: x, y: y, "font-size": 12, fill: "#374151"}, attrs || {}),
      svg);
    t.textContent = s; return t;
  }
  for (var k = 0; k <= 4; k++) {
    var v = top * k / 4, y = Y(v);
    el("line", {x1: L, x2: W - R, y1: y, y2: y, stroke: k ? "#e5e7eb" : "#9ca3af"}, svg);
    text(L - 6, y + 4, fmtTick(v), {"text-anchor": "end"});
  }
  el("line", {x1: L, x2: L, y1: T, y2: H - B, stroke: "#9ca3af"}, svg);
  var ticks = [e0];
  if (e1 > e0) {
    var step = Math.max(1, nice((e1 - e0) / 5)), first = Math.ceil(e0 / step) * step;
    ticks = [];
    for (var e = first; e <= e1 + 1e-9; e += step) ticks.push(+e.toPrecision(12));
  }
  ticks.forEach(function (e) {
    el("line", {x1: X(e), x2: X(e), y1: H - B, y2: H - B + 4, stroke: "#9ca3af"}, svg);
    text(X(e), H - B + 17, String(e), {"text-anchor": "middle"});
  });
  text((L + W - R) / 2, H - 4, "epoch", {"text-anchor": "middle"});
  text(L, 14, "cost", {"font-weight": 600});
  function curve(key, attrs) {
    var pts = frames.filter(function (f) { return f[key] !== null; })
      .map(function (f) { return X(f.epoch).toFixed(1) + "," + Y(f[key]).toFixed(1); });
    if (pts.length) el("polyline", Object.assign({points: pts.join(" "), fill: "none",
      "stroke-width": 2, "stroke-linejoin": "round"}, attrs), svg);
  }
  var TRAIN = "#111827", TEST = "#7c3aed";
  curve("cost", {stroke: TRAIN});
  if (hasTest) curve("val_cost", {stroke: TEST, "stroke-dasharray": "6 3"});
  // the key, top right
  var kx = W - R - (hasTest ? 150 : 70);
  el("line", {x1: kx, x2: kx + 22, y1: 10, y2: 10, stroke: TRAIN, "stroke-width": 2}, svg);
  text(kx + 27, 14, "train");
  if (hasTest) {
    el("line", {x1: kx + 75, x2: kx + 97, y1: 10, y2: 10, stroke: TEST, "stroke-width": 2,
      "stroke-dasharray": "6 3"}, svg);
    text(kx + 102, 14, "test");
  }
  var marker = el("line", {y1: T, y2: H - B, stroke: "#6b7280", "stroke-dasharray": "2 2"}, svg);
  var dotTrain = el("circle", {r: 4.5, fill: TRAIN, stroke: "#fff", "stroke-width": 1.5}, svg);
  var dotTest = hasTest
    ? el("circle", {r: 4.5, fill: TEST, stroke: "#fff", "stroke-width": 1.5}, svg) : null;

  function num(x) { return (+x.toPrecision(3)).toString(); }
  function pct(x) { return Math.round(100 * x) + "%"; }
  function show(n) {
    current = Math.max(0, Math.min(frames.length - 1, n));
    var f = frames[current];
    slider.value = current;
    var parts = ["train cost " + (f.cost === null ? "overflowed" : num(f.cost))];
    if (f.accuracy !== null) parts.push("train accuracy " + pct(f.accuracy));
    if (f.val_cost !== null) parts.push("test cost " + num(f.val_cost));
    if (f.val_accuracy !== null) parts.push("test accuracy " + pct(f.val_accuracy));
    readout.textContent = "";
    var strong = document.createElement("span");
    strong.className = "gsr-epoch"; strong.textContent = "Epoch " + f.epoch;
    readout.appendChild(strong);
    parts.forEach(function (p) {  // lines break between the parts, never inside one
      readout.appendChild(document.createTextNode("\u00a0· "));  // "·" ends a line, never starts it
      var s = document.createElement("span");
      s.className = "gsr-part"; s.textContent = p;
      readout.appendChild(s);
    });
    var x = X(f.epoch);
    marker.setAttribute("x1", x); marker.setAttribute("x2", x);
    dotTrain.style.display = f.cost === null ? "none" : "";
    if (f.cost !== null) { dotTrain.setAttribute("cx", x); dotTrain.setAttribute("cy", Y(f.cost)); }
    if (dotTest) {
      dotTest.style.display = f.val_cost === null ? "none" : "";
      if (f.val_cost !== null) {
        dotTest.setAttribute("cx", x); dotTest.setAttribute("cy", Y(f.val_cost));
      }
    }
    drawHeat();
  }
  function pause() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    button.textContent = "▶ Play"; button.setAttribute("aria-pressed", "false");
  }
  function play() {
    if (current >= frames.length - 1) show(0);
    button.textContent = "❚❚ Pause"; button.setAttribute("aria-pressed", "true");
    timer = setInterval(function () {
      if (current >= frames.length - 1) { pause(); return; }
      show(current + 1);
      if (current >= frames.length - 1) pause();
    }, 100);
  }
  button.addEventListener("click", function () { if (timer === null) play(); else pause(); });
  slider.addEventListener("input", function () { pause(); show(parseInt(slider.value, 10)); });
  if (window.ResizeObserver) new ResizeObserver(function () { drawHeat(); }).observe(canvas);
  else window.addEventListener("resize", drawHeat);
  root.setAttribute("data-ready", "1");
  show(0);
})();
"""


def _legend_svg(kind: str, fill: str) -> str:
    if kind == "train":
        shape = f'<circle cx="7" cy="7" r="4.5" fill="{fill}" stroke="#1f2937" stroke-width="1.4"/>'
    else:
        shape = (
            '<circle cx="7" cy="7" r="4.5" fill="none" stroke="#1f2937" stroke-width="4.6"/>'
            f'<circle cx="7" cy="7" r="4.5" fill="none" stroke="{fill}" stroke-width="2.6"/>'
        )
    return f'<svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">{shape}</svg>'


def _fragment(run: dict[str, Any], uid: str) -> str:
    """The replayer's markup, style and script, every id starting with ``uid``."""
    title = html.escape(run["title"], quote=True)
    n = len(run["frames"])
    xmin, xmax, ymin, ymax = run["extent"]
    # The canvas has the window's shape (a circle in the data stays round), at most 760 px
    # on its longer side; a window flatter than 4 : 1 (or taller than 1 : 4) is stretched
    # to that ratio so that it stays readable.
    ratio = min(max((xmax - xmin) / (ymax - ymin), 0.25), 4.0)
    css = (
        _CSS.replace(_UID, uid)
        .replace("__RATIO__", f"{ratio:.4f}")
        .replace("__WIDEST__", str(round(min(760, 760 * ratio))))
    )
    blue, orange = "rgb(8,119,189)", "rgb(232,128,28)"
    test_legend = (
        f"<span>{_legend_svg('test', orange)}{_legend_svg('test', blue)} test</span>"
        if run["test"]
        else ""
    )
    counts = f"{len(run['train'])} train points" + (
        f", {len(run['test'])} test points" if run["test"] else ", no test points"
    )
    return (
        f'<div id="{uid}" class="gsr">'
        f"<style>{css}</style>"
        f'<h1 class="gsr-title" title="{title}">{title}</h1>'
        '<div class="gsr-main">'
        f'<canvas id="{uid}-heat" class="gsr-heat" width="600" height="600" role="img" '
        f'aria-label="decision boundary: predicted class over the data window, with the points">'
        "</canvas>"
        '<div class="gsr-side">'
        '<div class="gsr-controls">'
        f'<button type="button" id="{uid}-play" class="gsr-play" aria-pressed="false">'
        "▶ Play</button>"
        f'<input type="range" id="{uid}-slider" class="gsr-slider" min="0" max="{n - 1}" '
        f'step="1" value="0" aria-label="frame">'
        "</div>"
        f'<div id="{uid}-readout" class="gsr-readout" aria-live="polite">Epoch 0</div>'
        f'<svg id="{uid}-chart" class="gsr-chart" viewBox="0 0 460 230" role="img" '
        'aria-label="train and test cost over the epochs"></svg>'
        '<div class="gsr-legend">'
        f"<span>{_legend_svg('train', orange)}{_legend_svg('train', blue)} train</span>"
        f"{test_legend}"
        '<span>class 0 <i class="gsr-ramp"></i> class 1</span>'
        "</div>"
        f'<div class="gsr-note">Background: the network\'s probability of class 1 '
        f"(white = 0.5, the decision boundary). Window: x1 from {_fmt(xmin)} to {_fmt(xmax)} "
        f"(left to right), x2 from {_fmt(ymin)} to {_fmt(ymax)} (bottom to top). "
        f"{counts}, {n} frames.</div>"
        "</div></div>"
        f'<script type="application/json" id="{uid}-data">{_json_for_script(run)}</script>'
        f"<script>{_JS.replace(_UID, uid)}</script>"
        "</div>"
    )


def replay_page(run: Mapping[str, Any]) -> str:
    """The whole replay page for ``run`` (see the module's docstring for its layout).

    Raises TypeError or ValueError, naming the field, what it holds and what is accepted,
    when ``run`` does not have that layout. Every id in the page starts with a fresh prefix,
    so two replays can share one notebook or page.

    >>> run = {"title": "<b>x</b>", "extent": [0, 1, 0, 1], "train": [[0.5, 0.5, 1]],
    ...        "test": [], "frames": [{"epoch": 0, "cost": 1, "val_cost": None,
    ...        "accuracy": None, "val_accuracy": None, "heat": [[0, 1], [1, 0]]}]}
    >>> page = replay_page(run)
    >>> "<b>x</b>" in page, "&lt;b&gt;x&lt;/b&gt;" in page
    (False, True)
    >>> replay_page({**run, "extent": [1, 0, 0, 1]})
    Traceback (most recent call last):
    ...
    ValueError: run['extent'] must be [xmin, xmax, ymin, ymax] with xmin < xmax and
    ymin < ymax, got [1, 0, 0, 1] (list)
    """
    clean = _validated(run)
    uid = f"gsr{uuid.uuid4().hex[:12]}"
    title = html.escape(clean["title"], quote=True)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title>"
        "<style>html,body{margin:0;background:#fff}</style>"
        f"</head><body>{_fragment(clean, uid)}</body></html>\n"
    )


def save_replay(run: Mapping[str, Any], path: str | os.PathLike[str]) -> Path:
    """Write :func:`replay_page` of ``run`` to ``path`` (UTF-8) and return it as a Path.

    ``path`` must end in ``.html`` or ``.htm``. The file is written next to its final place
    and then renamed over it, so a reader never sees half a page.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or a Path ending in .html, got {_shown(path)}")
    target = Path(path)
    if target.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"path must end in .html or .htm, got {str(path)!r}")
    _write_atomically(target, replay_page(run))  # nn's saves: a reader never sees half a page
    return target
