"""Generator of the bundled demo repository; ``examples/generate_demo.py`` is its entry point.

Seeded and standard library only: the output depends on the seed alone.
"""

from __future__ import annotations

from .build import Demo, build_demo, differences, listing, write
from .metrics_files import DirtyLine
from .parameters import SEED

__all__ = ["SEED", "Demo", "DirtyLine", "build_demo", "differences", "listing", "write"]
