"""Fixtures for the validation tests (helpers live in validation_data.py)."""

from __future__ import annotations

import pytest
from validation_data import draw_people

from synthaug.data.dataset import Dataset


@pytest.fixture(scope="module")
def people() -> tuple[Dataset, Dataset]:
    """(train, holdout): disjoint real samples from the same process."""
    return draw_people(300, seed=1), draw_people(300, seed=2)
