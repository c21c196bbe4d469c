"""Thread limits of worker processes: one thread for libraries loaded before and after the limit."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

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


REPEAT_PROBE = """
import threadpoolctl
scans = []
real = threadpoolctl.threadpool_limits
threadpoolctl.threadpool_limits = lambda *a, **k: (scans.append(1), real(*a, **k))[1]
from synthaug.parallel import limit_process_threads
limit_process_threads()
import sklearn.ensemble  # loads scikit-learn's OpenMP after the first limit
limit_process_threads()
from threadpoolctl import threadpool_info
print(len(scans), max(i["num_threads"] for i in threadpool_info()))
"""


def test_worker_limit_scans_libraries_once_and_still_covers_later_ones() -> None:
    # Run: the limit as every cached cell task calls it, with a library loaded in between
    out = subprocess.run([sys.executable, "-c", REPEAT_PROBE], capture_output=True, text=True, check=True,
                         env=CLEAN_ENV).stdout

    # Assert: one scan of the loaded libraries; the one loaded later runs one thread all the same
    assert out.split() == ["1", "1"]


# A module-level object whose finaliser writes a file: it runs only if the interpreter tears its modules
# down, which the fast exits skip. Hooks and threads must still run; the exit code must survive.
EXIT_PROBE = """
import atexit, logging, sys, threading, time
from pathlib import Path
from synthaug import parallel
out = Path(sys.argv[1])

class Teardown:
    def __del__(self):
        (out / "teardown").write_text("ran")

keep = Teardown()
logging.basicConfig(filename=out / "log.txt", level=logging.INFO)
{setup}
atexit.register(lambda: (out / "hook").write_text("ran"))
threading.Thread(target=lambda: (time.sleep(0.3), (out / "thread").write_text("ran"))).start()
logging.getLogger("probe").info("logged before exit")
{finish}
"""


def _exit_probe(tmp_path, setup: str, finish: str) -> tuple[int, set[str]]:
    script = EXIT_PROBE.format(setup=setup, finish=finish)
    code = subprocess.run([sys.executable, "-c", script, str(tmp_path)], timeout=60).returncode
    return code, {p.name for p in tmp_path.iterdir()}


@pytest.mark.parametrize("setup, finish, expected_code", [
    ("", "parallel.end_process(3)", 3),  # the `synthaug` program, after `main` returned 3
    ("parallel.skip_teardown_at_exit()", "", 0),  # a worker: registered in its initializer, first
], ids=["program", "worker"])
def test_fast_exits_run_threads_and_hooks_and_keep_the_code_but_skip_teardown(
        tmp_path, setup: str, finish: str, expected_code: int) -> None:
    # Run
    code, files = _exit_probe(tmp_path, setup, finish)

    # Assert: the thread finished, the later hook ran, the log was flushed; no module teardown
    assert code == expected_code
    assert files == {"hook", "thread", "log.txt"}
    assert "logged before exit" in (tmp_path / "log.txt").read_text()


def test_normal_exit_tears_down_the_modules(tmp_path) -> None:
    # Run: the same probe without the fast exit (checks the probe itself can see a teardown)
    code, files = _exit_probe(tmp_path, "", "sys.exit(3)")

    # Assert
    assert code == 3 and "teardown" in files


def test_pool_workers_end_without_teardown(tmp_path) -> None:
    # Run: the plain driver's pool; each item leaves a finaliser that would write a file at teardown
    from synthaug.parallel import ordered_map

    out = ordered_map(_leave_a_finaliser, [tmp_path / "a", tmp_path / "b"], 2)

    # Assert: the items ran in workers, and the workers ended without tearing their modules down
    assert os.getpid() not in out
    assert not list(tmp_path.iterdir())


class _Teardown:
    def __init__(self, path) -> None:
        self.path = path

    def __del__(self) -> None:
        self.path.write_text("ran")


_KEEP: list[_Teardown] = []


def _leave_a_finaliser(path) -> int:
    _KEEP.append(_Teardown(path))
    return os.getpid()


def test_freed_memory_goes_back_to_the_system() -> None:
    # Setup: a fresh interpreter holding, then freeing, ~300 MB of small heap objects (glibc keeps those)
    probe = ("import psutil\nfrom synthaug.parallel import return_freed_memory\np = psutil.Process()\n"
             "junk = [bytes(1000) + bytes([i % 251]) for i in range(300_000)]\n"
             "pin = [bytes(10) for _ in range(1000)]\ndel junk\n"  # live objects above it: no automatic trim
             "held = p.memory_info().rss\nreturn_freed_memory()\nprint((held - p.memory_info().rss) // 2**20)\n")
    # Run
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    # Assert: most of it left the process
    assert int(out.stdout) > 150
