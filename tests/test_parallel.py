"""Thread limits of worker processes: one thread for libraries loaded before and after the limit."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = """
import sys
from synthaug.parallel import limit_process_threads
limit_process_threads()
before = "torch" in sys.modules
import torch
from threadpoolctl import threadpool_info
print(before, torch.get_num_threads(), max(i["num_threads"] for i in threadpool_info()))
"""
# the test session's own limit (conftest) must not stand in for the one under test
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}


def test_worker_limit_reaches_torch_loaded_later_without_importing_it() -> None:
    # Run: a fresh interpreter, as a spawned worker is
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True,
                         env=CLEAN_ENV).stdout

    # Assert: torch was not imported by the limit, yet runs one thread, as does every loaded pool
    assert out.split() == ["False", "1", "1"]


def test_worker_limit_applies_to_torch_already_loaded() -> None:
    # Run
    probe = "import torch\n" + PROBE
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         env=CLEAN_ENV).stdout

    # Assert
    assert out.split() == ["True", "1", "1"]
