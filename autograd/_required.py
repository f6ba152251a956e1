"""Imported first by ``nn`` and ``viz``: refuse to start on HIPS autograd in the engine's place.

(A module whose import is the check: it runs before any ``from autograd import Value`` could
fail with a bare "cannot import name" error.)
"""

import autograd

from ._clash import require_gradstep

require_gradstep(autograd)
