"""Notebooks in real JupyterLab, in headless Chromium, measured in the page.

``jupyterlab()`` starts a JupyterLab server on a free port over temporary copies of some
notebooks, with this test run's interpreter as their kernel and every setting in temporary
folders; ``chromium()`` makes a selenium driver whose viewport is exactly the given size;
``run_and_measure()`` opens one notebook, runs all its cells with JupyterLab's own "Run All
Cells" command and returns one ``Output`` record per output shown in the page.

Nothing is written into the repository: the notebooks run (and may write files) in the
temporary copy's folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.notebooks import KERNEL, kernel_dir

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
TOKEN = "gradstep-layout"

# JupyterLab settings, as a user would set them in Settings > Settings Editor.
SETTINGS: dict[str, dict[str, Any]] = {
    # "full" windowing (the default) only renders the cells near the viewport, so outputs
    # far down the page would not be in the DOM to measure; "none" renders every cell.
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    # No news or update toast over the outputs (and no request leaving the machine).
    "@jupyterlab/apputils-extension/notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


@dataclass
class Lab:
    """A running JupyterLab: its address, token and the folder it serves."""

    url: str
    token: str
    root: Path

    def api(self, method: str, path: str) -> Any:
        request = urllib.request.Request(
            f"{self.url}{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def page(self, notebook: str, workspace: str) -> str:
        # A workspace of its own per notebook: JupyterLab restores a workspace's open tabs,
        # so a shared one would reopen (and restart the kernel of) every earlier notebook.
        return f"{self.url}/lab/workspaces/{workspace}/tree/{notebook}?token={self.token}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    """The pids whose parent is ``pid`` (Linux /proc; elsewhere nothing)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            # the command name, in parentheses, may hold spaces: split after its last ")"
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found


@contextlib.contextmanager
def jupyterlab(
    notebooks: Iterable[Path], workdir: Path, startup_timeout: float = 120
) -> Iterator[Lab]:
    """Serve copies of ``notebooks`` in JupyterLab; always stops it and its kernels after.

    Each copy's kernelspec names the ``tests.notebooks`` kernel (this interpreter), so
    JupyterLab starts it without asking, whatever kernels the machine has.
    """
    import nbformat

    root = workdir / "notebooks"
    root.mkdir(parents=True)
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        nb.metadata["kernelspec"] = {
            "name": KERNEL,
            "display_name": "gradstep tests",
            "language": "python",
        }
        nbformat.write(nb, root / path.name)

    settings = workdir / "user-settings"
    for plugin, values in SETTINGS.items():
        file = settings / f"{plugin}.jupyterlab-settings"
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(json.dumps(values), encoding="utf-8")

    # Every folder Jupyter would read or write under the home directory is a temporary one:
    # the run neither sees a developer's own settings nor leaves anything behind.
    env = dict(os.environ)
    env.update(
        JUPYTER_PATH=str(kernel_dir(workdir / "jupyter-path")),
        JUPYTER_CONFIG_DIR=str(workdir / "config"),
        JUPYTER_DATA_DIR=str(workdir / "data"),
        JUPYTER_RUNTIME_DIR=str(workdir / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTERLAB_WORKSPACES_DIR=str(workdir / "workspaces"),
        IPYTHONDIR=str(workdir / "ipython"),
    )
    port = free_port()
    log = (workdir / "jupyterlab.log").open("wb")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            # never quietly move to another port: the page would be some other server's
            "--ServerApp.port_retries=0",
            "--allow-root",
            f"--IdentityProvider.token={TOKEN}",
            f"--ServerApp.root_dir={root}",
            "--ServerApp.terminals_enabled=False",
            # window.jupyterapp: run_and_measure drives JupyterLab's own commands through it
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ],
        cwd=root,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    lab = Lab(url=f"http://127.0.0.1:{port}", token=TOKEN, root=root)
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if server.poll() is not None:
                raise RuntimeError(
                    f"JupyterLab exited with {server.returncode} at start:\n{_tail(workdir)}"
                )
            try:
                lab.api("GET", "/api/status")
                break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"JupyterLab did not answer in {startup_timeout:.0f} s:\n{_tail(workdir)}"
                    ) from None
                time.sleep(0.2)  # polling a server that is starting: no event to wait on
        yield lab
    finally:
        kernels = _children(server.pid)
        _stop(lab, server)
        log.close()
        # A kernel outlives its server only if the server was killed; end those by pid.
        for pid in kernels:
            if _is_kernel(pid, workdir / "runtime"):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


def _is_kernel(pid: int, runtime: Path) -> bool:
    """Whether ``pid`` still is one of this run's kernels (a pid is reused once it exits)."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    # its connection file is in this run's runtime folder
    folder = os.fsencode(runtime) + b"/"
    return b"ipykernel_launcher" in argv and any(a.startswith(folder) for a in argv)


def _tail(workdir: Path, lines: int = 40) -> str:
    text = (workdir / "jupyterlab.log").read_text(encoding="utf-8", errors="replace")
    return "\n".join(text.splitlines()[-lines:])


def _stop(lab: Lab, server: subprocess.Popen[bytes]) -> None:
    """Ask the server to shut down (it ends its kernels), then insist by signal."""
    if server.poll() is None:
        with contextlib.suppress(urllib.error.URLError, OSError):
            lab.api("POST", "/api/shutdown")
    for sig in (None, signal.SIGTERM, signal.SIGKILL):
        if sig is not None and server.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, sig)
        try:
            server.wait(timeout=15)
            return
        except subprocess.TimeoutExpired:
            continue


@contextlib.contextmanager
def chromium(profile: Path, width: int = 1280, height: int = 720) -> Iterator[Any]:
    """A headless Chromium selenium driver whose viewport is ``width`` x ``height``."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-first-run",
        f"--window-size={width},{height}",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        # The window has borders in some builds: size it so the page itself is width x height.
        inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
        if inner != [width, height]:
            driver.set_window_size(2 * width - inner[0], 2 * height - inner[1])
        inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
        if inner != [width, height]:
            raise RuntimeError(f"the viewport is {inner}, not [{width}, {height}]")
        yield driver
    finally:
        driver.quit()


# --- in the page ------------------------------------------------------------------------------


@dataclass
class Image:
    """A raster <img>: shown CSS width against the width it asks for.

    ``declared`` is the img's width attribute: JupyterLab sets it from the output's metadata,
    which gradstep's figures use to be drawn at twice the resolution and shown at their real
    size, so their natural (pixel) width is twice the size they mean. Their size is the
    declared width when there is one, the natural width otherwise.
    """

    shown: float
    natural: int
    declared: float | None

    @property
    def ratio(self) -> float:
        size = self.declared or self.natural
        return self.shown / size if size else 0.0


@dataclass
class Scroller:
    """An element whose content is wider than its box and that can scroll sideways."""

    what: str
    scroll_width: int
    client_width: int


@dataclass
class Output:
    """One output of one cell as the page shows it at its opening view, in CSS px."""

    notebook: str
    cell: int  # the cell's index in the notebook, markdown cells counted
    index: int  # the output's index in its cell
    description: str  # the first line of the cell's source
    mime: str
    width: float  # the output's own width
    widest: float  # its widest element's width (inside an SVG only the <svg> counts)
    widest_what: str
    scrollers: list[Scroller] = field(default_factory=list)
    svg_text_px: float | None = None  # the smallest rendered font size of its SVG text
    svg_text_what: str = ""  # that text
    images: list[Image] = field(default_factory=list)

    @property
    def has_picture(self) -> bool:
        return self.svg_text_px is not None or bool(self.images)


@dataclass
class Run:
    """What ``run_and_measure`` found in one notebook."""

    notebook: str
    seconds: float
    outputs: list[Output]
    errors: list[str]  # "cell N: Name: message" for every error output
    shots: list[Path] = field(default_factory=list)


# Returns the state of the notebook in the current tab and its kernel.
# The notebook panel on show. JupyterLab 4.6 leaves shell.currentWidget (the focused one)
# null in a headless browser that never gets focus, so fall back to the notebook in the main
# area (one per workspace here).
PANEL_JS = """
const app = window.jupyterapp;
const panel = app && (app.shell.currentWidget ||
    [...app.shell.widgets('main')].reverse().find(w => w.context && w.sessionContext));
"""

_STATE_JS = (
    PANEL_JS
    + """
if (!panel || !panel.content || !panel.sessionContext || !panel.context) return null;
const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
const code = panel.content.widgets.filter(c => c.model.type === 'code');
return {
    path: panel.context.path,
    ready: panel.context.isReady,
    kernel: kernel ? kernel.status : null,
    kernelName: kernel ? kernel.name : null,
    cells: panel.content.widgets.length,
    shown: document.querySelectorAll('.jp-Notebook .jp-Cell').length,
    code: code.length,
    executed: code.filter(c => c.model.executionCount !== null).length,
    // "[*]": running or waiting in the queue
    busy: code.filter(c => (c.promptNode && c.promptNode.textContent || '').includes('*')).length,
    errors: panel.content.widgets.flatMap((c, i) => c.model.type !== 'code' ? [] :
        c.model.outputs.toJSON().filter(o => o.output_type === 'error')
            .map(o => `cell ${i}: ${o.ename}: ${o.evalue}`)),
};
"""
)

# Calls back once every image has loaded (or failed) and fonts are in, two frames later:
# the layout is then the one a learner sees.
_SETTLED_JS = """
const done = arguments[arguments.length - 1];
const images = [...document.querySelectorAll('.jp-OutputArea-output img')];
Promise.all(images.map(img => img.complete ? null :
        new Promise(r => { img.addEventListener('load', r); img.addEventListener('error', r); })))
    .then(() => document.fonts.ready)
    .then(() => requestAnimationFrame(() => requestAnimationFrame(() => done(true))));
"""

_MEASURE_JS = """
const what = el => el.tagName.toLowerCase() +
    (typeof el.className === 'string' && el.className.trim()
        ? '.' + el.className.trim().split(/\\s+/).slice(0, 2).join('.') : '');

// The smallest rendered font size of the visible text of an SVG in the page: its font
// size in the SVG's user units times the scale from those units to CSS px.
function smallestText(svg) {
    let best = null;
    for (const t of svg.querySelectorAll('text, tspan')) {
        const content = [...t.childNodes].filter(n => n.nodeType === 3)
            .map(n => n.textContent).join('').trim();
        if (!content) continue;
        const box = t.getBoundingClientRect();
        if (box.width === 0 && box.height === 0) continue;  // display: none
        const m = t.getScreenCTM();
        if (!m) continue;
        const scale = Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));  // user units -> CSS px
        const px = parseFloat(getComputedStyle(t).fontSize) * scale;
        if (best === null || px < best.px) best = {px, text: content.slice(0, 30)};
    }
    return best;
}

// JupyterLab shows an image/svg+xml output as an <img> of a data: URL, whose text is not in
// the DOM: a copy is laid out at the img's shown size in a shadow root (so no page CSS
// reaches it, as none reaches the img), measured and removed.
function smallestTextOfImg(img) {
    const src = img.getAttribute('src') || '';
    const comma = src.indexOf(',');
    const head = src.slice(0, comma);
    const body = src.slice(comma + 1);
    const text = head.endsWith(';base64') ? atob(body) : decodeURIComponent(body);
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    const svg = doc.documentElement;
    if (svg.tagName.toLowerCase() !== 'svg') return null;
    const host = document.createElement('div');
    host.style.cssText = 'position:absolute;left:0;top:0;';
    document.body.appendChild(host);
    try {
        const root = host.attachShadow({mode: 'open'});
        const copy = document.importNode(svg, true);
        copy.setAttribute('width', img.clientWidth);
        copy.setAttribute('height', img.clientHeight);
        root.appendChild(copy);
        return smallestText(copy);
    } finally {
        host.remove();
    }
}

const records = [];
const cells = [...document.querySelectorAll('.jp-Notebook .jp-Cell')];
cells.forEach((cell, cellIndex) => {
    // top-level outputs only: an Output widget holds output areas of its own
    const outputs = [...cell.querySelectorAll('.jp-OutputArea-output')]
        .filter(o => !o.parentElement.closest('.jp-OutputArea-output'));
    outputs.forEach((out, index) => {
        // inside an <svg> only the <svg> itself: it clips what it holds
        const elements = [out, ...out.querySelectorAll('*')].filter(el => {
            const svg = el.closest('svg');
            return svg === null || svg === el;
        });
        let widest = 0, widestWhat = '';
        const scrollers = [];
        for (const el of elements) {
            const w = el.getBoundingClientRect().width;
            if (el !== out && w > widest) { widest = w; widestWhat = what(el); }
            const overflow = getComputedStyle(el).overflowX;
            if ((overflow === 'auto' || overflow === 'scroll')
                    && el.scrollWidth > el.clientWidth + 1) {
                scrollers.push({what: what(el), scroll_width: el.scrollWidth,
                                client_width: el.clientWidth});
            }
        }
        let text = null;
        const consider = t => { if (t && (text === null || t.px < text.px)) text = t; };
        out.querySelectorAll('svg').forEach(svg => consider(smallestText(svg)));
        const images = [];
        for (const img of out.querySelectorAll('img')) {
            const src = img.getAttribute('src') || '';
            if (src.startsWith('data:image/svg+xml')) {
                consider(smallestTextOfImg(img));
            } else {
                const declared = parseFloat(img.getAttribute('width'));
                images.push({shown: img.clientWidth, natural: img.naturalWidth,
                             declared: isNaN(declared) ? null : declared});
            }
        }
        records.push({
            cell: cellIndex, index, mime: out.dataset.mimeType || '',
            width: out.clientWidth, widest, widest_what: widestWhat, scrollers,
            svg_text_px: text && text.px, svg_text_what: text ? text.text : '', images,
        });
    });
});
return records;
"""


def _state(driver: Any) -> dict[str, Any] | None:
    result: dict[str, Any] | None = driver.execute_script(_STATE_JS)
    return result


def run_and_measure(
    driver: Any,
    lab: Lab,
    notebook: str,
    timeout: float = 300,
    shots: Path | None = None,
) -> Run:
    """Open ``notebook`` (a name in ``lab.root``), run all its cells, measure every output.

    With ``shots``, also save a screenshot there with each picture-bearing output at the top.
    The notebook's kernel is shut down before returning, so notebooks do not pile up kernels.
    """
    import nbformat
    from selenium.webdriver.support.ui import WebDriverWait

    start = time.monotonic()
    sources = [c.source for c in nbformat.read(lab.root / notebook, as_version=4).cells]
    driver.get(lab.page(notebook, workspace=f"layout-{Path(notebook).stem}"))
    wait = WebDriverWait(driver, timeout, poll_frequency=0.25)

    def ready(d: Any) -> dict[str, Any] | None:
        s = _state(d)
        return s if s and s["path"] == notebook and s["ready"] and s["kernel"] == "idle" else None

    state = wait.until(ready, f"{notebook} did not open with an idle kernel")
    if state["kernelName"] != KERNEL:
        raise RuntimeError(f"{notebook} runs on kernel {state['kernelName']!r}, not {KERNEL!r}")
    try:
        driver.execute_script("window.jupyterapp.commands.execute('notebook:run-all-cells')")

        def finished(d: Any) -> dict[str, Any] | None:
            s = _state(d)
            if not s or s["kernel"] != "idle" or s["busy"]:
                return None
            # after an error JupyterLab runs no more cells: the rest keep no count
            return s if s["executed"] == s["code"] or s["errors"] else None

        state = wait.until(finished, f"{notebook}: the cells did not finish in {timeout:.0f} s")
        # Outputs are matched to cells by their place in the page: every cell must be there.
        if not state["cells"] == state["shown"] == len(sources):
            raise RuntimeError(
                f"{notebook}: {len(sources)} cells in the file, {state['cells']} in JupyterLab,"
                f" {state['shown']} in the page (is windowingMode 'none' in effect?)"
            )
        outputs = measure_page(driver, notebook, sources)
        saved = _screenshots(driver, notebook, outputs, shots) if shots else []
    finally:
        # Nothing of the run is to be kept: a clean document leaves the page without a
        # "leave the page?" prompt, and its kernel stops using a core.
        driver.execute_script(
            PANEL_JS + "if (panel && panel.context) { panel.context.model.dirty = false; }"
        )
        for session in lab.api("GET", "/api/sessions"):
            lab.api("DELETE", f"/api/sessions/{session['id']}")
    return Run(notebook, time.monotonic() - start, outputs, state["errors"], saved)


def measure_page(driver: Any, notebook: str, sources: list[str]) -> list[Output]:
    """Every output of the notebook shown in the page, once its images and fonts are in.

    ``sources`` are the notebook's cell sources, by index, for the records' descriptions.
    """
    driver.execute_async_script(_SETTLED_JS)
    outputs = []
    for r in driver.execute_script(_MEASURE_JS):
        scrollers = [Scroller(**s) for s in r.pop("scrollers")]
        images = [Image(**i) for i in r.pop("images")]
        description = _first_line(sources[r["cell"]])
        outputs.append(
            Output(notebook, description=description, scrollers=scrollers, images=images, **r)
        )
    return outputs


def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip():
            return line.strip()
    return ""


def _screenshots(driver: Any, notebook: str, outputs: list[Output], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    saved = []
    for out in outputs:
        if not out.has_picture:
            continue
        driver.execute_script(
            "const cell = document.querySelectorAll('.jp-Notebook .jp-Cell')[arguments[0]];"
            "const outs = [...cell.querySelectorAll('.jp-OutputArea-output')]"
            "  .filter(o => !o.parentElement.closest('.jp-OutputArea-output'));"
            "outs[arguments[1]].scrollIntoView({block: 'start'});",
            out.cell,
            out.index,
        )
        # scrolling is synchronous; the frames let the scrolled page paint before the shot
        driver.execute_async_script(
            "const done = arguments[0];"
            "requestAnimationFrame(() => requestAnimationFrame(() => done(true)));"
        )
        path = folder / f"{Path(notebook).stem}-cell{out.cell:02d}-{out.index}.png"
        driver.save_screenshot(str(path))
        saved.append(path)
    return saved
