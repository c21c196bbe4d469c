"""The protocol can show a real gain, and does not manufacture one from copies or noise."""

from __future__ import annotations

import numpy as np
from gainkit import gain_study, like, make_table

from synthaug.data.dataset import Dataset
from synthaug.evaluation.statistics import HELPS, HURTS


def test_oracle_generator_extra_real_rows_is_called_helps() -> None:
    """Planted true signal: the 'generator' returns 300 fresh real rows from a reserve that is disjoint
    from every training and test row, added to 30-row training sets: a real gain the protocol must see."""
    reserve = make_table(2000, seed=101)
    data = make_table(3000, seed=102)

    def oracle(train: Dataset, rng: np.random.Generator) -> Dataset:
        pick = rng.choice(len(reserve), 300, replace=False)
        return like(train, reserve.X.iloc[pick], reserve.y[pick])

    s = gain_study(data, oracle, ["logistic_regression", "lda", "naive_bayes"], seed=0, repeats=10, fraction=0.01)
    assert set(s["ci_method"]) == {"paired_t_disjoint"}
    assert (s["verdict"] == HELPS).all(), s[["gain_mean", "ci_low", "ci_high", "verdict"]]
    assert (s["gain_mean"] > 0.02).all()


def test_null_generator_resampled_training_rows_is_not_called_helps() -> None:
    """Copies of the training rows carry no new information: 'helps' at most 2 of 20 seeds per classifier."""
    def resample(train: Dataset, rng: np.random.Generator) -> Dataset:
        pick = rng.integers(0, len(train), len(train))
        return like(train, train.X.iloc[pick], train.y[pick])

    helps = {"naive_bayes": 0, "lda": 0, "decision_tree": 0}
    for seed in range(20):
        data = make_table(600, seed=seed)
        s = gain_study(data, resample, list(helps), seed=seed, repeats=5, fraction=0.1, metric="macro_f1")
        for clf in helps:
            helps[clf] += int(s.loc[clf, "verdict"] == HELPS)
    assert all(v <= 2 for v in helps.values()), helps


def test_pure_noise_with_random_labels_never_helps() -> None:
    """Uniform noise features with coin-flip labels: never 'helps', and it does hurt somewhere."""
    def noise(train: Dataset, rng: np.random.Generator) -> Dataset:
        X = rng.uniform(-3, 3, size=train.X.shape)
        return like(train, X, rng.choice(np.unique(train.y), len(train)))

    verdicts = []
    for seed in range(8):
        data = make_table(1500, seed=200 + seed, separation=2.0)
        s = gain_study(data, noise, ["logistic_regression", "lda", "naive_bayes", "decision_tree"], seed=seed,
                       repeats=5, fraction=0.05)
        verdicts += s["verdict"].tolist()
    assert HELPS not in verdicts
    assert HURTS in verdicts
