"""``python -m synthohive_seed``: see :mod:`synthohive_seed.cli`."""

from .cli import main

raise SystemExit(main())
