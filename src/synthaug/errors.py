"""Errors a user can fix (exit code 2), the outcomes of a finished or stopped run, and the exit codes.

The codes are defined once here and used by the CLI, so scripts and schedulers can tell "fix your
input" from "finished with failed cells" from "stopped by validation" from "interrupted".
"""

from __future__ import annotations

EXIT_OK = 0  # complete: every cell computed, report written
EXIT_BAD_INPUT = 2  # bad input found before anything started (no run folder)
EXIT_CELLS_FAILED = 3  # complete with failed cells: report written, failed cells listed at its top
EXIT_VALIDATION_FAILED = 4  # stopped by `validation.policy: fail` (no COMPLETE)
EXIT_INTERRUPTED = 130  # stopped by SIGINT/SIGTERM (no COMPLETE; a rerun resumes from finished cells)


class InputError(ValueError):
    """Bad input found before heavy work: the message names the file, column or field and its value."""


class ConfigError(InputError):
    """A config file or override that cannot be parsed or fails validation."""


class DataError(InputError):
    """A dataset that cannot be read or cannot support a classification experiment."""


class ValidationFailed(RuntimeError):
    """Raised under `validation.policy: fail`; the message lists the failed expectations. Defined here
    (not in `validation`) so the CLI can catch it without importing pandas and the validation package."""


class CellsFailed(RuntimeError):
    """A run that finished (tables, report, COMPLETE) with failed cells; carries its folder so a caller
    that only sees the exception (a Prefect flow's Failed state) still finds the report.

    Built from plain arguments only, so it pickles across processes and into Prefect states."""

    def __init__(self, run_dir: str, cell_ids: list[str]) -> None:
        super().__init__(run_dir, list(cell_ids))
        self.run_dir = run_dir
        self.cell_ids = list(cell_ids)

    def __str__(self) -> str:
        return (f"{len(self.cell_ids)} cell(s) failed: {', '.join(self.cell_ids)} "
                f"(see 'Failed cells' in {self.run_dir}/report.md)")
