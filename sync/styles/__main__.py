"""`python -m papershelf.sync.styles [-v] FILE...`: measure how faithfully papershelf re-writes each list."""

from __future__ import annotations

from .fidelity import main

raise SystemExit(main())
