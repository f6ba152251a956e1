"""The compiler: ``autograd.compile`` traces a function once and replays its graph.

How it is built, one module a stage (each imports only the ones before it, and the engine):

* :mod:`.trace` -- run the function once on placeholders and keep the graph it builds (the
  *trace*), refusing code that decides something from a number;
* :mod:`.codegen` (and :mod:`.tape` for traces too long to write out) -- the trace as
  straight-line Python, the eager engine's arithmetic in its order: bit for bit;
* :mod:`.vectorize` -- the trace on a whole batch with NumPy, alike nodes as one vector
  operation, layers as matrix products;
* :mod:`.compiled` -- :func:`compile` and :class:`Compiled`, which pick the backend and add
  the gradients into ``.grad``.

No derivative rule is written here: every backend runs (or transcribes) the rules of
:mod:`autograd.ops`.
"""

from ..mode import register_library_code
from .compiled import BACKENDS, Compiled, compile
from .trace import CompileError

# The compiler's frames are the engine's too: errors and anomaly reports point past them.
register_library_code(__file__)

__all__ = ["compile", "Compiled", "CompileError", "BACKENDS"]
