"""Recipes that make synthetic data pay, chosen honestly (issue 11): teacher labels, filters, weights, `auto`.

A recipe turns real training rows into a training set (`sets.recipe_set`); `select_recipe` picks one
per classifier by inner validation on the training rows alone and `fit_recipe` builds the pick on
all of them. Pure library code: the runner, report and CLI call these functions.
"""

from __future__ import annotations

from synthaug.recipe_space import ModelSpec, RecipeSpace, load_space
from synthaug.recipes.filters import consistency_filter, fidelity_filter
from synthaug.recipes.recipe import REAL_ONLY, Recipe, expand, parse_recipe
from synthaug.recipes.rule import choose
from synthaug.recipes.select import Selection, fit_recipe, generative_slots, inner_validation, select_recipe
from synthaug.recipes.sets import Pool, TrainingSet, build_pool, recipe_set
from synthaug.recipes.teacher import Teacher, fit_teacher, relabel
from synthaug.recipes.weighting import (
    accepts_sample_weight,
    no_weight_reason,
    sample_weights,
)

__all__ = ["REAL_ONLY", "ModelSpec", "Pool", "Recipe", "RecipeSpace", "Selection", "Teacher", "TrainingSet",
           "accepts_sample_weight", "build_pool", "choose", "consistency_filter", "expand", "fidelity_filter",
           "fit_recipe", "fit_teacher", "generative_slots", "inner_validation", "load_space",
           "no_weight_reason", "parse_recipe", "recipe_set", "relabel", "sample_weights", "select_recipe"]
