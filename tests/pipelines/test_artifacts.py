"""The grid's progress artifact: rate-limited, yet never behind a quiet grid or a failed cell."""

from __future__ import annotations

import time

from prefect import flow


def _progress(artifact_id) -> tuple[float, str]:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        art = client.read_artifacts()
        row = next(a for a in art if a.id == artifact_id)
    return float(row.data), str(row.description)


def test_progress_updates_are_rate_limited_and_flushed(prefect_harness) -> None:
    from synthaug_pipelines.artifacts import GridProgress

    # Setup: a 4-cell grid whose first three cells finish within one interval
    @flow
    def grid() -> list[tuple[float, str]]:
        progress = GridProgress(4, "demo", interval=0.6)
        seen = []
        for cell in ("a", "b", "c"):
            progress.advance(cell, cache_hit=True)
            seen.append(_progress(progress.id))
        time.sleep(1.2)  # a quiet grid: the held-back update must arrive by itself
        seen.append(_progress(progress.id))
        progress.advance("d", failed=True)  # the last cell: at once
        seen.append(_progress(progress.id))
        return seen

    # Run
    seen = grid()

    # Assert: the first cell is shown at once, the next two are held back, the timer sends them
    assert seen[0] == (25.0, "demo: 1/4 cells finished; last: a (cached)")
    assert seen[1] == seen[2] == seen[0]
    assert seen[3] == (75.0, "demo: 3/4 cells finished; last: c (cached)")
    assert seen[4] == (100.0, "demo: 4/4 cells finished (1 failed); last: d (FAILED)")


def test_failed_cell_is_shown_at_once(prefect_harness) -> None:
    from synthaug_pipelines.artifacts import GridProgress

    @flow
    def grid() -> tuple[float, str]:
        progress = GridProgress(3, "demo", interval=60.0)
        progress.advance("a")
        progress.advance("b", failed=True)
        return _progress(progress.id)

    assert grid() == (200 / 3, "demo: 2/3 cells finished (1 failed); last: b (FAILED)")
