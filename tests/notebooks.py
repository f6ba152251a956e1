"""Run notebooks in a real Jupyter kernel (nbclient), as a learner's Jupyter would.

The kernel is this test run's own interpreter, whatever kernels the machine has installed:
a kernelspec is written to a temporary folder that ``JUPYTER_PATH`` points at.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

KERNEL = "gradstep-tests"


def kernel_dir(root: Path) -> Path:
    """Write a kernelspec running ``sys.executable`` under ``root``; returns the JUPYTER_PATH."""
    spec = root / "kernels" / KERNEL
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "gradstep tests",
                "language": "python",
            }
        ),
        encoding="utf-8",
    )
    return root


def execute(
    cells: Iterable[str] | Any,
    jupyter_path: Path,
    cwd: Path,
    timeout: int = 120,
    allow_errors: bool = False,
) -> Any:
    """Execute a notebook (or a list of code cells) top to bottom; returns the notebook."""
    import nbformat
    from nbclient import NotebookClient

    if isinstance(cells, nbformat.NotebookNode):
        nb = cells
    else:
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    env_before = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(jupyter_path)
    try:
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name=KERNEL,
            allow_errors=allow_errors,
            resources={"metadata": {"path": str(cwd)}},
        )
        client.execute()
    finally:
        if env_before is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = env_before
    return nb


def displays(cell: Any) -> list[dict[str, Any]]:
    """The rich outputs of a cell (execute results and display_data), as mime bundles."""
    return [o["data"] for o in cell.outputs if o.output_type in ("execute_result", "display_data")]


def stream(cell: Any, name: str) -> str:
    return "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == name)
