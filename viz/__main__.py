"""``python -m viz`` is the ``gradstep`` command."""

from viz.cli import main

raise SystemExit(main())
