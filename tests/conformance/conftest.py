"""Conformance suite (issue 9): the zoo of small tables, property-based inputs, malformed inputs, export.

Hypothesis profiles: `ci` (default) is derandomized (same examples on every run, no example database
written into the checkout, no shrinking); `dev` draws new examples each run and shrinks failures.
Pick one with HYPOTHESIS_PROFILE=dev.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

_COMMON = {"deadline": None, "database": None, "print_blob": True,
           "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                     HealthCheck.data_too_large, HealthCheck.filter_too_much]}
# no shrinking in CI: each shrink step is a whole CLI run, and a failing example is reported as drawn
settings.register_profile("ci", derandomize=True, phases=[Phase.explicit, Phase.generate], **_COMMON)
settings.register_profile("dev", **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
