"""The report's imports can happen while a driver waits for its workers, and only once."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
from synthaug.reporting import report
before = "synthaug.reporting.figures" in sys.modules
report.import_sections_in_background()
report.import_sections_in_background()  # a second call starts no second thread
threads = list(report._importing)
for t in threads:
    t.join()
print(before, len(threads), "synthaug.reporting.figures" in sys.modules, "matplotlib" in sys.modules)
"""
CACHED = """
import sys
from synthaug.reporting import report
report.import_sections_in_background(draw=False)
report._importing[0].join()
print("synthaug.reporting.figures" in sys.modules, "matplotlib" in sys.modules)
"""


def test_background_imports_load_every_section_once() -> None:
    # Run: a fresh interpreter, as the CLI process is before its grid
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=120)

    # Assert: nothing of the figures was loaded before; one thread loaded them
    assert out.stdout.split() == ["False", "1", "True", "True"]


def test_a_rerun_from_the_cache_leaves_matplotlib_out() -> None:
    # Run: every figure will come from the figure cache, so nothing is drawn
    out = subprocess.run([sys.executable, "-c", CACHED], capture_output=True, text=True, check=True, timeout=120)
    # Assert: the sections are loaded, matplotlib is not
    assert out.stdout.split() == ["True", "False"]
