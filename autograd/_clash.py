"""Two packages share the import name ``autograd``: gradstep's engine and HIPS autograd.

HIPS autograd (a dependency of PennyLane and others) installs into the same ``autograd``
folder. Installed in one environment, each overwrites the other's ``__init__.py`` and pip
says nothing. This module notices, at import time, and says what happened and what to do.
It imports nothing and only lists one folder, so ``import autograd`` stays instant.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import Any

__all__ = ["ADVICE", "foreign_files", "other_packages", "require_gradstep", "warn_if_mixed"]

#: Files only HIPS autograd ships in its ``autograd`` folder.
HIPS_FILES = ("tracer.py", "core.py", "differential_operators.py", "wrap_util.py")

ADVICE = (
    "gradstep's engine and HIPS autograd (used by PennyLane and others) both install a "
    "package named 'autograd', and they overwrite each other in one environment. Use "
    "separate virtual environments: python -m venv gradstep-env && . gradstep-env/bin/activate "
    '&& pip install -e ".[viz]" (from gradstep\'s folder), and the other package in its own.'
)


def foreign_files(folder: str) -> list[str]:
    """The HIPS autograd files found in ``folder`` (the installed ``autograd`` package)."""
    try:
        present = set(os.listdir(folder))
    except OSError:
        return []
    return [name for name in HIPS_FILES if name in present]


def other_packages(ours: str) -> list[str]:
    """HIPS autograd folders elsewhere on ``sys.path`` (with an editable install of gradstep,
    the two do not mix files: one hides the other)."""
    found = []
    for entry in sys.path:
        folder = os.path.abspath(os.path.join(entry or os.curdir, "autograd"))
        if folder != ours and foreign_files(folder):
            found.append(folder)
    return found


def warn_if_mixed(package_file: str) -> None:
    """Warn when HIPS autograd's files sit beside gradstep's (HIPS's users are broken) or
    another ``autograd`` package is on the path (one of the two is hidden)."""
    ours = os.path.dirname(os.path.abspath(package_file))
    found = foreign_files(ours)
    if found:
        warnings.warn(
            f"the 'autograd' package folder holds gradstep's engine and files of HIPS "
            f"autograd ({', '.join(found)}): gradstep works, HIPS autograd does not. {ADVICE}",
            RuntimeWarning,
            stacklevel=3,
        )
    others = other_packages(ours)
    if others:
        warnings.warn(
            f"HIPS autograd is installed too ({others[0]}): 'import autograd' finds gradstep's "
            f"engine here, so code that needs HIPS autograd will fail. {ADVICE}",
            RuntimeWarning,
            stacklevel=3,
        )


def require_gradstep(module: Any) -> None:
    """Refuse to go on when ``import autograd`` gave HIPS autograd instead of gradstep's."""
    if not hasattr(module, "Value"):
        where = getattr(module, "__file__", "?")
        raise ImportError(
            f"'import autograd' found HIPS autograd ({where}), not gradstep's engine: "
            f"HIPS autograd was installed after gradstep, or comes first on the path. {ADVICE} "
            "To repair this environment: pip uninstall autograd (HIPS), then install gradstep "
            "again (pip install -e . in its folder)."
        )
