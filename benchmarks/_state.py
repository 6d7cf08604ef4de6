"""Benchmarks keep their state out of the user's: a temporary NUDGE_CACHE_DIR unless one is set.

Importing this module is enough. A writer's dismissals, telemetry and results cache live in
the real state folder; a benchmark run must neither read nor write them.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

if not os.environ.get("NUDGE_CACHE_DIR"):
    _folder = tempfile.mkdtemp(prefix="nudge-bench-")
    os.environ["NUDGE_CACHE_DIR"] = _folder
    atexit.register(shutil.rmtree, _folder, True)
