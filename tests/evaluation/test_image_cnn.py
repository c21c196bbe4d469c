"""SmallCNN: scikit-learn interface, seeding, and that it learns digits well above chance quickly."""

from __future__ import annotations

import numpy as np
from scipy.special import softmax
from sklearn.base import clone

from synthaug.evaluation.cnn import SmallCNN


def test_cnn_learns_digits(digits_split):
    train, test = digits_split
    cnn = SmallCNN(epochs=3, min_steps=60, random_state=0).fit(train.X, train.y)
    acc = float(np.mean(cnn.predict(test.X) == test.y))
    assert acc > 0.6, acc  # chance is 0.1
    proba = cnn.predict_proba(test.X[:5])
    assert proba.shape == (5, 10) and np.allclose(proba.sum(axis=1), 1.0)
    # the softmax of the logits, computed in float64 from the same forward pass
    np.testing.assert_allclose(proba, softmax(cnn.decision_function(test.X[:5]).astype(np.float64), axis=1),
                               rtol=0, atol=1e-12)
    assert cnn.decision_function(test.X[:5]).shape == (5, 10)
    assert cnn.transform_features(test.X[:5]).shape == (5, cnn.feature_dim)
    assert cnn.classes_.tolist() == list(range(10))


def test_cnn_seeded_binary_and_flat_input(digits_split):
    train, test = digits_split
    mask = np.isin(train.y, [3, 8])
    X, y = train.X[mask], np.where(train.y[mask] == 3, "three", "eight")
    a = SmallCNN(epochs=1, min_steps=10, random_state=5).fit(X, y)
    b = clone(a).fit(X.reshape(len(X), -1), y)  # flat rows of a square single-channel image
    np.testing.assert_allclose(a.decision_function(test.X[:7]), b.decision_function(test.X[:7]), atol=1e-5)
    assert a.decision_function(test.X[:7]).shape == (7,)
    assert set(a.predict(test.X[:7])) <= {"three", "eight"}
