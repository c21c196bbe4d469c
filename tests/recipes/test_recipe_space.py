"""Recipes as text and the declared search space: round trips, counts, errors that name the field."""

from __future__ import annotations

import pytest

from synthaug.errors import ConfigError, InputError
from synthaug.recipes import REAL_ONLY, Recipe, RecipeSpace, expand, load_space, parse_recipe


def test_recipe_text_round_trips_for_every_recipe_of_a_space() -> None:
    # Setup: a space using every option, including awkward floats
    space = RecipeSpace(ratios=[0.5, 1.0, 1 / 3], strategies=["match", "balance"], filters=["none", "consistency",
                        "fidelity"], consistency_thresholds=[0.6], fidelity_thresholds=[0.75], weights=[1.0, 0.25])
    # Run
    recipes = expand(space, ["gaussian_copula", "ctgan_300"])
    # Assert
    assert [parse_recipe(str(r)) for r in recipes] == recipes
    assert str(Recipe("gaussian_copula", 1.0, "match", "teacher", "consistency", 0.6, 0.5)) == \
        "gaussian_copula x1 match teacher consistency@0.6 w0.5"


def test_short_form_and_real_only_parse() -> None:
    assert parse_recipe("ctgan x2") == Recipe("ctgan", 2.0)
    assert parse_recipe("real_only") is REAL_ONLY
    assert str(REAL_ONLY) == "real_only" and REAL_ONLY.is_real_only


@pytest.mark.parametrize("text", ["ctgan 2", "ctgan x2 sideways", "ctgan x2 match teacher consistency w1",
                                  "ctgan x2 match generator none@0.5", "ctgan x1 match generator none w0",
                                  "ctgan x1 match generator fidelity@1.5", ""])
def test_malformed_recipes_are_input_errors(text: str) -> None:
    with pytest.raises(InputError):
        parse_recipe(text)


def test_expand_puts_real_only_first_and_counts_the_product() -> None:
    # Setup: 2 generators × 2 strategies × 3 ratios × 2 labels × (none + 2 consistency thresholds) × 2 weights
    space = RecipeSpace(consistency_thresholds=[0.6, 0.8], weights=[1.0, 0.5])
    # Run
    recipes = expand(space, ["gaussian_copula", "tvae"])
    # Assert
    assert recipes[0] is REAL_ONLY
    assert len(recipes) == 1 + 2 * 2 * 3 * 2 * 3 * 2
    assert len(set(recipes)) == len(recipes)
    assert len(expand(RecipeSpace(), ["gaussian_copula"])) == 25  # the default space, one generator


def test_space_generators_override_the_callers_default() -> None:
    recipes = expand(RecipeSpace(generators=["tvae"], labels=["generator"], filters=["none"], weights=[1.0]),
                     ["gaussian_copula"])
    assert {r.generator for r in recipes} == {None, "tvae"}


def test_bad_space_errors_name_the_field() -> None:
    with pytest.raises(ConfigError) as err:
        load_space({"ratios": [0, 1], "weights": [1.5], "wieghts": [1]})
    text = str(err.value)
    assert "'recipes.ratios'" in text and "'recipes.weights'" in text and "'recipes.wieghts'" in text


def test_space_is_frozen() -> None:
    space = RecipeSpace()
    with pytest.raises(Exception):  # noqa: B017 - pydantic raises its own ValidationError type
        space.inner_folds = 5  # type: ignore[misc]


def test_default_generators_are_the_generative_slots_only() -> None:
    from synthaug.recipes import generative_slots

    slots = {"gaussian_copula": {}, "smote": {}, "class_weight": {}, "ctgan_fast": {"type": "ctgan", "epochs": 5}}
    assert generative_slots(slots) == ["gaussian_copula", "ctgan_fast"]
