"""Run the CLI in-process and check that it ended in one of the documented outcomes.

Exit codes (README): 0 complete; 2 bad input (one-paragraph message, nothing started, no run folder);
3 complete with failed cells (report written, COMPLETE present, manifest status
"complete_with_failures"); 4 stopped by `validation.policy: fail` (a message, no COMPLETE); 130 interrupted.
Anything else, a traceback out of `main`, or a run that does not return in time is a defect.
"""

from __future__ import annotations

import contextlib
import io
import json
import signal
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

COMPLETE, BAD_INPUT, WITH_FAILURES, VALIDATION_STOP = 0, 2, 3, 4
RUN_FILES = ("COMPLETE", "report.md", "results.parquet", "cells.parquet", "manifest.json")
OK_STATUSES = {"ok", "complete", "completed", "done", "success", "succeeded", "cached", "computed", "finished"}
ERROR_COLUMNS = ("error", "error_type", "error_message", "exception", "traceback", "traceback_file")


class Hang(Exception):
    """The command did not return within its time limit."""


@dataclass
class Outcome:
    rc: int
    err: str
    out: str
    runs: Path  # the config's output.dir

    def run_dirs(self) -> list[Path]:
        return sorted(p for p in self.runs.iterdir() if p.is_dir()) if self.runs.is_dir() else []

    def describe(self) -> str:
        return f"exit {self.rc}\n--- stderr ---\n{self.err[-4000:]}\n--- stdout ---\n{self.out[-1500:]}"


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise `Hang` in the main thread after `seconds` (a run must never hang)."""
    def on_alarm(signum, frame):  # noqa: ARG001
        raise Hang(f"no exit within {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def cli(argv: list[str], runs: Path, limit_s: float = 120.0) -> Outcome:
    """`synthaug <argv>` in-process; stderr/stdout captured; a traceback or a hang fails the test."""
    from synthaug_pipelines.cli import main

    err, out = io.StringIO(), io.StringIO()
    try:
        with time_limit(limit_s), contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            rc = main(argv)
    except SystemExit as exc:  # argparse usage errors
        rc = exc.code if isinstance(exc.code, int) else 2
    except Hang as exc:
        raise AssertionError(f"synthaug {' '.join(argv)} hung: {exc}\n{err.getvalue()[-2000:]}") from None
    except Exception as exc:  # noqa: BLE001 - the point: nothing may escape main as a traceback
        raise AssertionError(f"synthaug {' '.join(argv)} raised instead of exiting with a code:\n"
                             f"{traceback.format_exc()}\n--- stderr ---\n{err.getvalue()[-2000:]}") from exc
    return Outcome(int(rc), err.getvalue(), out.getvalue(), runs)


def run_config(doc: dict, folder: Path, *extra: str, limit_s: float = 120.0) -> Outcome:
    """Write `doc` as YAML under `folder` and `synthaug run CONFIG --direct`."""
    import yaml

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    runs = Path(doc.get("output", {}).get("dir", "data/runs")) if isinstance(doc.get("output"), dict) \
        else Path("data/runs")
    return cli(["run", str(path), "--direct", *extra], runs, limit_s)


# --- outcome checks --------------------------------------------------------------------------------

def bad_input_message(o: Outcome) -> str:
    """Exit 2: a short message (one paragraph starting with `error:`, no traceback) and no run folder."""
    assert o.rc == BAD_INPUT, f"expected exit 2 (bad input), got {o.describe()}"
    text = o.err.strip()
    assert "Traceback" not in o.err, o.err
    assert text.startswith("error:"), f"the message must start with 'error:':\n{o.err}"
    assert "\n\n" not in text and len(text) < 1500, f"the message must be one short paragraph:\n{o.err}"
    assert not o.run_dirs(), f"bad input must not create a run folder: {o.run_dirs()}"
    return text.replace("\n  ", " ").replace("\n", " ")


def failed_cells(cells: pd.DataFrame) -> pd.DataFrame:
    """Rows of cells.parquet that record a failure, whatever columns the failure record uses."""
    mask = pd.Series(False, index=cells.index)
    for col in cells.columns:
        name = str(col).lower()
        values = cells[col]
        if name in ("status", "state", "outcome"):
            mask |= values.notna() & ~values.astype(str).str.lower().isin(OK_STATUSES)
        elif name in ERROR_COLUMNS:
            mask |= values.notna() & (values.astype(str).str.strip() != "")
        elif name == "failed":
            mask |= values.fillna(False).astype(bool)
    return cells[mask]


def manifest(run_dir: Path) -> dict:
    return json.loads((run_dir / "manifest.json").read_text())


def report_sections_built(run: Path) -> None:
    """No report section replaced by "This section could not be built"."""
    broken = [line for line in (run / "report.md").read_text().splitlines() if "could not be built" in line]
    assert not broken, f"report sections failed: {broken}"


def complete_run(o: Outcome, sections: bool = False) -> Path:
    """Exit 0, one run folder with the contract files, status complete, no failed cell and (with
    `sections`) every report section built. Returns the run folder."""
    assert o.rc == COMPLETE, f"expected exit 0, got {o.describe()}"
    dirs = o.run_dirs()
    assert len(dirs) == 1, f"expected one run folder under {o.runs}, found {dirs}"
    run = dirs[0]
    missing = [f for f in RUN_FILES if not (run / f).is_file()]
    assert not missing, f"run folder {run} lacks {missing}"
    status = manifest(run).get("status", "complete")
    assert status == "complete", f"manifest status {status!r} on exit 0"
    failed = failed_cells(pd.read_parquet(run / "cells.parquet"))
    assert failed.empty, f"failed cells on exit 0:\n{failed.to_string()[:3000]}"
    if sections:
        report_sections_built(run)
    return run


def documented_outcome(o: Outcome) -> str:
    """The property every input must satisfy: one of the documented endings, with its evidence."""
    if o.rc == COMPLETE:
        complete_run(o)
        return "complete"
    if o.rc == BAD_INPUT:
        bad_input_message(o)
        return "bad_input"
    assert "Traceback" not in o.err, o.describe()
    if o.rc == WITH_FAILURES:
        dirs = o.run_dirs()
        assert len(dirs) == 1, f"exit 3 must leave one run folder, found {dirs}; {o.describe()}"
        run = dirs[0]
        for f in RUN_FILES:
            assert (run / f).is_file(), f"exit 3: {f} missing in {run}"
        assert manifest(run).get("status") == "complete_with_failures", manifest(run).get("status")
        assert not failed_cells(pd.read_parquet(run / "cells.parquet")).empty, "exit 3 with no failed cell recorded"
        return "complete_with_failures"
    if o.rc == VALIDATION_STOP:  # stopped: a message naming the policy, no COMPLETE anywhere
        assert o.err.lstrip().startswith("error:") and "validation.policy" in o.err, o.describe()
        assert not any((d / "COMPLETE").exists() for d in o.run_dirs()), "exit 4 wrote COMPLETE"
        return "validation_stop"
    raise AssertionError(f"undocumented exit code: {o.describe()}")
