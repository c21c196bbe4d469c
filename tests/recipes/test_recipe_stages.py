"""The stages a recipe adds: teacher labels, the two filters, pooled sets and synthetic weights."""

from __future__ import annotations

import numpy as np
from recipekit import blobs
from sklearn.linear_model import LogisticRegression

from synthaug.config import ValidationConfig
from synthaug.recipes import (
    REAL_ONLY,
    ModelSpec,
    Recipe,
    accepts_sample_weight,
    consistency_filter,
    fidelity_filter,
    fit_teacher,
    no_weight_reason,
    relabel,
    select_recipe,
)
from synthaug.recipes.sets import Pool, TrainingSet, recipe_set, requested_counts
from synthaug.recipes.weighting import fit_weighted
from synthaug.scoring import fit_and_score

LR = ModelSpec(classifier="logistic_regression")


def test_teacher_labels_are_the_teachers_predictions() -> None:
    # Setup: a teacher fitted on real rows; synthetic rows whose generator labels are all wrong
    real, synth = blobs(80, seed=0), blobs(40, seed=1)
    synth = synth.with_rows(synth.X, 1 - synth.y)
    teacher = fit_teacher(real, LR, seed=0)
    # Run
    out = relabel(synth, teacher)
    # Assert
    assert np.array_equal(out.y, teacher.model.predict(synth.X))
    assert out.y.dtype == synth.y.dtype and (out.y != synth.y).mean() > 0.9
    assert teacher.n_fit == len(real)


def test_an_ensemble_teacher_averages_its_members_probabilities() -> None:
    # Setup
    real, synth = blobs(80, gap=1.0, seed=0), blobs(30, gap=1.0, seed=1)
    specs = [LR, ModelSpec(classifier="decision_tree", params={"max_depth": 2})]
    # Run
    teacher = fit_teacher(real, specs, seed=0)
    # Assert
    members = [m.predict_proba(synth.X) for m in teacher.models]
    assert len(members) == 2 and not np.allclose(members[0], members[1])
    assert np.allclose(teacher.proba(synth.X), (members[0] + members[1]) / 2)
    assert np.array_equal(relabel(synth, teacher).y, teacher.classes[np.argmax(teacher.proba(synth.X), axis=1)])


def test_consistency_filter_drops_the_rows_with_flipped_labels() -> None:
    # Setup: synthetic copies of separable rows; every fourth label flipped
    real, synth = blobs(100, gap=5.0, seed=0), blobs(40, gap=5.0, seed=2)
    flipped = np.arange(len(synth)) % 4 == 0
    synth = synth.with_rows(synth.X, np.where(flipped, 1 - synth.y, synth.y))
    # Run
    kept, dropped = consistency_filter(synth, fit_teacher(real, LR, seed=0), threshold=0.6)
    # Assert
    assert dropped == flipped.sum()
    assert set(kept.X.index) == set(synth.X.index[~flipped])


def test_fidelity_filter_drops_the_most_artificial_rows() -> None:
    # Setup: half the synthetic rows look real, half lie far outside the real data
    real, near, far = blobs(100, seed=0), blobs(50, seed=3), blobs(50, seed=4)
    far.X["a"] += 8.0
    synth = real.with_rows(__import__("pandas").concat([near.X, far.X], ignore_index=True), np.r_[near.y, far.y])
    # Run
    kept, dropped = fidelity_filter(real, synth, threshold=0.8, spec=LR, folds=3, seed=0)
    # Assert: nearly all far rows go, nearly all near rows stay
    kept_far = (np.asarray(kept.X.index) >= 50).sum()
    kept_near = (np.asarray(kept.X.index) < 50).sum()
    assert kept_far <= 3 and kept_near >= 40
    assert dropped == len(synth) - len(kept)


def test_pool_positions_are_per_class_prefixes_nested_across_ratios() -> None:
    # Setup: a pool of shuffled rows of both classes
    real, synth = blobs(40, seed=0), blobs(200, seed=5)
    pool = Pool("g", "match", real, synth, np.ones(len(synth), dtype=bool), None)
    # Run
    small, n_small = pool.positions(0.5)
    big, n_big = pool.positions(2.0)
    # Assert: exact requested counts per class, and the small set inside the big one
    for pos, ratio in ((small, 0.5), (big, 2.0)):
        want = requested_counts(real, ratio, "match")
        assert {c: int((synth.y[pos] == c).sum()) for c in want} == want
    assert set(small) <= set(big) and (sum(n_small.values()), sum(n_big.values())) == (20, 80)


def test_recipe_set_applies_validation_labels_and_filter() -> None:
    # Setup: a pool whose first rows failed validation, labels flipped, with a teacher
    real, synth = blobs(100, gap=5.0, seed=0), blobs(60, gap=5.0, seed=6)
    valid = np.arange(60) >= 10
    pool = Pool("g", "match", real, synth.with_rows(synth.X, 1 - synth.y), valid, None,
                teacher=fit_teacher(real, LR, seed=0))
    # Run
    plain = recipe_set(Recipe("g", 0.6), real, pool)
    taught = recipe_set(Recipe("g", 0.6, labels="teacher"), real, pool)
    checked = recipe_set(Recipe("g", 0.6, filter="consistency", threshold=0.6), real, pool)
    # Assert
    pos, _ = pool.positions(0.6)
    assert plain.dropped_validation == int((~valid[pos]).sum()) and plain.n_synthetic == int(valid[pos].sum())
    assert np.array_equal(taught.synthetic.y, pool.teacher.model.predict(taught.synthetic.X))
    assert checked.n_synthetic == 0 and checked.dropped_filter == plain.n_synthetic  # every label was flipped
    # the counts sets.parquet reports: asked, drawn, kept by validation, kept by the filter
    assert plain.requested_counts == requested_counts(real, 0.6, "match") and plain.requested == 60
    assert plain.n_achieved == len(pos) and plain.achieved_counts == {c: int((pool.sampled.y[pos] == c).sum())
                                                                      for c in (0, 1)}
    assert plain.n_kept == plain.n_synthetic == checked.n_kept  # no filter: validation's rows are trained on
    assert checked.n_kept - checked.dropped_filter == checked.n_synthetic


def test_sample_weight_reaches_the_estimator() -> None:
    # Setup: real rows plus mislabelled synthetic rows, stacked as TrainingSet does
    real, synth = blobs(60, seed=0), blobs(60, seed=7)
    tset = TrainingSet(Recipe("g", 1.0, weight=0.05), real, synth.with_rows(synth.X, 1 - synth.y))
    X, y, w = tset.arrays()
    # Run
    weighted, _ = fit_weighted("logistic_regression", {}, 0, X, y, "tabular", real.columns, w)
    plain, _ = fit_weighted("logistic_regression", {}, 0, X, y, "tabular", real.columns, None)
    # Assert: the weighted fit equals a direct weighted fit of the same data, and differs from plain
    assert np.array_equal(w, np.r_[np.ones(60), np.full(60, 0.05)])
    Z = weighted[:-1].transform(X)
    direct = LogisticRegression(max_iter=1000, random_state=0).fit(Z, y, sample_weight=w)
    assert np.allclose(weighted[-1].coef_, direct.coef_, atol=1e-4)
    assert not np.allclose(weighted[-1].coef_, plain[-1].coef_, atol=1e-2)


def test_classifier_without_sample_weight_is_na_with_the_reason() -> None:
    # Setup
    real = blobs(60, seed=0)
    w = np.r_[np.ones(30), np.full(30, 0.5)]
    # Run
    scores, _, err = fit_and_score("lda", {}, 0, real.X, real.y, real, "tabular", real.columns, 1, sample_weight=w)
    ok, _, err_unweighted = fit_and_score("lda", {}, 0, real.X, real.y, real, "tabular", real.columns, 1,
                                          sample_weight=np.ones(60))
    # Assert
    assert not accepts_sample_weight("lda") and accepts_sample_weight("svm")
    assert err == no_weight_reason("lda") == "n/a: lda takes no sample_weight"
    assert all(np.isnan(v) for v in scores.values())
    assert err_unweighted == "" and ok["macro_f1"] > 0.9


def test_weights_are_asked_of_the_estimator_the_zoo_builds() -> None:
    # Setup: a wrapped plugin whose own fit takes sample_weight, and a scikit-learn one that does too
    real = blobs(40, seed=0)
    w = np.r_[np.ones(20), np.full(20, 0.5)]
    # Run
    _, reason = fit_weighted("recipekit:PlainModel", {}, 0, real.X, real.y, "tabular", real.columns, w)
    nb, _ = fit_weighted("sklearn.naive_bayes.GaussianNB", {}, 0, real.X, real.y, "tabular", real.columns, w)
    # Assert
    assert not accepts_sample_weight("recipekit:PlainModel") and reason == no_weight_reason("recipekit:PlainModel")
    assert accepts_sample_weight("sklearn.naive_bayes.GaussianNB") and nb is not None


def test_weighted_recipes_are_not_offered_to_classifiers_without_sample_weight() -> None:
    # Setup: two weighted recipes sharing one pool; x0.01 asks for no synthetic row at all, so its
    # training set is the real rows and an unweighted fit would score it like real only
    real = blobs(120, seed=7)
    fast = ValidationConfig(fidelity=False, privacy=False, data_docs=False, distribution_checks=False)
    recipes = [REAL_ONLY, Recipe("gaussian_copula", 1.0, weight=0.5), Recipe("gaussian_copula", 0.001, weight=0.5)]
    classifiers = {"lda": {}, "qda": {}, "logistic_regression": {}}
    # Run
    sel = select_recipe(real, classifiers, {"gaussian_copula": {}}, seed=0, recipes=recipes, validation=fast)
    # Assert: LDA and QDA never compete with a weight below 1 and say why; logistic regression does
    for name in ("lda", "qda"):
        rows = sel[name].scores.set_index("recipe")
        for weighted in map(str, recipes[1:]):
            assert not rows.loc[weighted, "competed"] and rows.loc[weighted, "folds"] == 0
            assert rows.loc[weighted, "note"] == no_weight_reason(name)
        assert sel[name].n_recipes == 1 and sel[name].chosen.is_real_only
    lr = sel["logistic_regression"].scores.set_index("recipe")
    assert lr["competed"].all() and sel["logistic_regression"].n_recipes == 3 and (lr["note"] == "").all()
