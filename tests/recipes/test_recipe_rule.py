"""The one-SE rule on constructed inner-score tables: real only unless a recipe clearly beats it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthaug.recipes import choose

REAL = np.array([0.80, 0.70, 0.75])


def table(**recipes: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"real_only": REAL, **recipes})


def test_recipes_within_noise_leave_real_only_chosen() -> None:
    # Setup: the best recipe leads by 0.002 on average, with paired differences of ±0.02
    t = table(a=REAL + np.array([0.02, -0.02, 0.006]), b=REAL + np.array([-0.01, 0.0, 0.01]))
    # Run
    pick, summary = choose(t)
    # Assert
    assert pick == "real_only"
    assert summary.set_index("recipe").loc["a", "gain"] > 0  # a did have the best mean
    assert summary["chosen"].sum() == 1 and bool(summary.set_index("recipe").loc["real_only", "chosen"])


def test_a_clearly_dominating_recipe_is_chosen() -> None:
    t = table(a=REAL + np.array([0.02, -0.02, 0.006]), b=REAL + np.array([0.05, 0.06, 0.055]))
    pick, summary = choose(t)
    assert pick == "b"
    row = summary.set_index("recipe").loc["b"]
    assert row["gain"] > row["gain_se"] and row["competed"]


def test_best_mean_rule_takes_the_noisy_leader() -> None:
    t = table(a=REAL + np.array([0.02, -0.02, 0.006]))
    assert choose(t, rule="best_mean")[0] == "a"
    assert choose(t, rule="one_se")[0] == "real_only"


def test_a_recipe_missing_a_fold_does_not_compete() -> None:
    # Setup: "w" would win by far but could not be scored on one fold (e.g. n/a weights)
    t = table(w=REAL + np.array([0.2, np.nan, 0.2]), b=REAL + np.array([0.05, 0.06, 0.055]))
    pick, summary = choose(t)
    assert pick == "b"
    assert not summary.set_index("recipe").loc["w", "competed"]


def test_real_only_failing_means_no_augmentation_is_chosen() -> None:
    t = pd.DataFrame({"real_only": [0.8, np.nan, 0.7], "b": [0.9, 0.9, 0.9]})
    pick, summary = choose(t)
    assert pick == "real_only"
    assert "failed" in summary.set_index("recipe").loc["real_only", "note"]


def test_default_rule_also_requires_a_win_on_every_fold() -> None:
    # Setup: a recipe clearly ahead on average (gain > 1 SE) that loses one fold
    t = table(a=REAL + np.array([0.06, 0.05, -0.001]))
    # Run
    plain, _ = choose(t, rule="one_se")
    strict, summary = choose(t)
    # Assert
    assert plain == "a" and strict == "real_only"
    assert summary.set_index("recipe").loc["a", "gain"] > summary.set_index("recipe").loc["a", "gain_se"]


def test_unknown_rule_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown selection rule"):
        choose(table(), rule="luck")
