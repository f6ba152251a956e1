"""How gradstep's results show themselves: as text in a terminal, as HTML or images in Jupyter.

Nothing here needs IPython: Jupyter looks for the ``_repr_*_`` methods by name, so objects
carry them whether or not a notebook ever sees them.
"""

from __future__ import annotations

import functools
import html
import io
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # matplotlib is optional: imported only when a figure is made
    from matplotlib.figure import Figure

__all__ = ["Text", "new_figure"]

_PRE_STYLE = (
    "font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px;"
    "line-height:1.35;white-space:pre;overflow-x:auto;margin:0;padding:6px 8px;"
    "background:#f8f9fa;border:1px solid #dee2e6;border-radius:4px"
)


class Text(str):
    """A ``str`` that displays as itself: printed, echoed by the REPL, or shown by Jupyter.

    It is an ordinary string in every other way (``in``, ``splitlines()``, ``==``...). Its
    ``repr`` is the text itself, so ``viz.tree(y)`` at the prompt draws the tree rather than a
    quoted line full of ``\\n``; a notebook shows the same text in a monospace block.

    >>> t = Text("a\\n└── b")
    >>> t
    a
    └── b
    >>> t == "a\\n└── b", t._repr_html_().startswith("<pre")
    (True, True)
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return str.__str__(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str.__str__(self))

    def _repr_html_(self) -> str:
        return f'<pre class="gradstep-text" style="{_PRE_STYLE}">{html.escape(self)}</pre>'


#: CSS pixels per inch a figure is shown at in Jupyter (its PNG has twice as many).
DISPLAY_DPI = 100

#: The widest figure, in inches, that fits a notebook's output column (~830 px) at full size.
COLUMN_INCHES = 8.3


@functools.cache
def _figure_class() -> type[Figure]:
    from matplotlib import figure

    # Called Figure too, so its text form stays matplotlib's "<Figure size 600x500 ...>".
    class Figure(figure.Figure):
        """A matplotlib Figure that Jupyter shows as a PNG with no ``%matplotlib`` magic.

        It is made without pyplot, so an active inline backend never shows it a second
        time at the end of the cell, and nothing piles up in pyplot's list of figures.
        """

        def _repr_png_(self) -> tuple[bytes, dict[str, int]]:
            # Drawn at twice the resolution and declared at its real size: sharp on a
            # high-density screen, the same size as a normal inline figure everywhere.
            # Declared at DISPLAY_DPI whatever figure.dpi says, so a figure of at most 8.3 in
            # fits a notebook's 830 px column at full size.
            buffer = io.BytesIO()
            self.savefig(buffer, format="png", dpi=2 * DISPLAY_DPI)
            width, height = (round(v * DISPLAY_DPI) for v in self.get_size_inches())
            return buffer.getvalue(), {"width": width, "height": height}

    return Figure


def new_figure(**kwargs: Any) -> Figure:
    """A new Figure that shows itself in Jupyter (the arguments are ``Figure``'s).

    >>> fig = new_figure(figsize=(2, 1))
    >>> data, size = fig._repr_png_()
    >>> data[:4], size
    (b'\\x89PNG', {'width': 200, 'height': 100})
    """
    return _figure_class()(**kwargs)
