"""GX's KL-divergence charts, made cheap in the docs build, are the charts GX would draw."""

from __future__ import annotations

import json
import subprocess
import sys

from synthaug.validation.datadocs import speed_up_chart_rendering

PARTITION = {"bins": [0.0, 1.0, 2.0, 3.5], "weights": [0.2, 0.5, 0.3]}
DRAW = """
import json, sys
from great_expectations.expectations.core.expect_column_kl_divergence_to_be_less_than import (
    ExpectColumnKLDivergenceToBeLessThan as KL)
if sys.argv[1] == "fast":
    from synthaug.validation.datadocs import speed_up_chart_rendering
    speed_up_chart_rendering()
partition = json.loads(sys.argv[2])
for _ in range(2):
    chart = KL._get_kl_divergence_chart(partition)
print(json.dumps(chart.to_json_dict(), sort_keys=True))
"""


def _chart_json(mode: str, partition: dict) -> dict:
    out = subprocess.run([sys.executable, "-c", DRAW, mode, json.dumps(partition)], capture_output=True, text=True,
                         check=True, timeout=120)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_fast_charts_equal_the_charts_gx_draws() -> None:
    # Setup / Run: GX as installed, and with the speed-ups, each in a fresh process
    plain, fast = _chart_json("plain", PARTITION), _chart_json("fast", PARTITION)
    # Assert: the whole rendered content, Vega-Lite spec and data included
    assert fast == plain and "graph" in json.dumps(fast)


def test_kept_charts_are_copies_and_keyed_by_content() -> None:
    # Setup
    from great_expectations.expectations.core.expect_column_kl_divergence_to_be_less_than import (
        ExpectColumnKLDivergenceToBeLessThan as KL,
    )

    speed_up_chart_rendering()
    # Run
    first, second = KL._get_kl_divergence_chart(PARTITION), KL._get_kl_divergence_chart(PARTITION)
    other = KL._get_kl_divergence_chart({**PARTITION, "weights": [0.6, 0.2, 0.2]})
    # Assert: equal content, separate objects (a renderer changing one cannot change the next), other data differs
    assert first.to_json_dict() == second.to_json_dict() and first is not second
    first.graph["title"] = "changed"
    assert "title" not in KL._get_kl_divergence_chart(PARTITION).graph
    assert other.to_json_dict() != first.to_json_dict()
