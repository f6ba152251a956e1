"""HIPS autograd shares the import name 'autograd': the mix is noticed and explained."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# What HIPS autograd's __init__ looks like, as far as this check cares: no Value.
HIPS_INIT = "from .differential_operators import grad\n"
HIPS_FILES = {
    "tracer.py": "",
    "core.py": "",
    "wrap_util.py": "",
    "differential_operators.py": "def grad(f):\n    return f\n",
}


def copy_gradstep(to: Path) -> Path:
    for package in ("autograd", "nn", "viz"):
        shutil.copytree(ROOT / package, to / package, ignore=shutil.ignore_patterns("__pycache__"))
    return to


def run(code: str, *path: Path) -> subprocess.CompletedProcess[str]:
    # -S: no site-packages, so no installed gradstep (an editable install would win over
    # PYTHONPATH); the three packages import nothing from outside at import time anyway.
    # The first folder is also the working directory: python -c puts that first on the path.
    env = {"PYTHONPATH": ":".join(map(str, path)), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-S", "-c", code], capture_output=True, text=True, env=env, cwd=path[0]
    )


def test_hips_files_beside_gradstep_warn_and_gradstep_still_works(tmp_path):
    site = copy_gradstep(tmp_path)
    for name, text in HIPS_FILES.items():
        (site / "autograd" / name).write_text(text)
    done = run("import autograd; print(autograd.Value(2.0).data)", site)
    assert done.returncode == 0 and done.stdout.strip() == "2.0"
    assert "RuntimeWarning" in done.stderr and "HIPS autograd" in done.stderr
    assert "separate virtual environments" in done.stderr


def test_hips_init_in_gradstep_place_stops_nn_and_viz_with_advice(tmp_path):
    site = copy_gradstep(tmp_path)
    (site / "autograd" / "__init__.py").write_text(HIPS_INIT)
    for name, text in HIPS_FILES.items():
        (site / "autograd" / name).write_text(text)
    for package in ("nn", "viz"):
        done = run(f"import {package}", site)
        assert done.returncode != 0
        assert "ImportError: 'import autograd' found HIPS autograd" in done.stderr
        assert "separate virtual environments" in done.stderr and "pip uninstall" in done.stderr


def test_hips_elsewhere_on_the_path_warns(tmp_path):
    ours = copy_gradstep(tmp_path / "ours")
    hips = tmp_path / "hips" / "autograd"
    hips.mkdir(parents=True)
    (hips / "__init__.py").write_text(HIPS_INIT)
    for name, text in HIPS_FILES.items():
        (hips / name).write_text(text)
    done = run("import autograd, nn", ours, tmp_path / "hips")
    assert done.returncode == 0
    assert "HIPS autograd is installed too" in done.stderr


def test_a_clean_install_says_nothing():
    done = run("import autograd, nn, viz", ROOT)
    assert done.returncode == 0 and done.stderr == ""
