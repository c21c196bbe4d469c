"""The classifier zoo: each a scikit-learn Pipeline whose preprocessing is fitted on training rows only."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from synthaug.errors import ConfigError


@dataclass(frozen=True)
class ClassifierSpec:
    path: str
    defaults: dict[str, Any]
    family: str  # "generative" models P(X|Y); "discriminative" models P(Y|X)
    kinds: tuple[str, ...] = ("tabular", "images")
    seeded: bool = True
    description: str = ""


CLASSIFIERS: dict[str, ClassifierSpec] = {
    "logistic_regression": ClassifierSpec("sklearn.linear_model:LogisticRegression", {"max_iter": 1000},
                                          "discriminative", description="L2 logistic regression"),
    "svm": ClassifierSpec("sklearn.svm:SVC", {"kernel": "rbf", "C": 1.0}, "discriminative",
                          description="RBF support vector machine (ROC AUC from decision_function)"),
    "lda": ClassifierSpec("sklearn.discriminant_analysis:LinearDiscriminantAnalysis",
                          {"solver": "lsqr", "shrinkage": "auto"}, "generative", seeded=False,
                          description="linear discriminant analysis, shrunk covariance"),
    "qda": ClassifierSpec("sklearn.discriminant_analysis:QuadraticDiscriminantAnalysis", {"reg_param": 0.1},
                          "generative", seeded=False, description="quadratic discriminant analysis, regularised"),
    "naive_bayes": ClassifierSpec("sklearn.naive_bayes:GaussianNB", {}, "generative", seeded=False,
                                  description="Gaussian naive Bayes"),
    "decision_tree": ClassifierSpec("sklearn.tree:DecisionTreeClassifier", {}, "discriminative",
                                    description="CART decision tree"),
    "random_forest": ClassifierSpec("sklearn.ensemble:RandomForestClassifier", {"n_estimators": 100, "n_jobs": 1},
                                    "discriminative", description="random forest, 100 trees"),
    "hist_gradient_boosting": ClassifierSpec("sklearn.ensemble:HistGradientBoostingClassifier", {},
                                             "discriminative", description="histogram gradient boosting"),
    "mlp": ClassifierSpec("sklearn.neural_network:MLPClassifier",
                          {"hidden_layer_sizes": (64,), "max_iter": 300, "early_stopping": True},
                          "discriminative", description="multi-layer perceptron, one hidden layer"),
    "cnn": ClassifierSpec("synthaug.evaluation.cnn:SmallCNN", {}, "discriminative", kinds=("images",),
                          description="small convolutional network in torch (images only)"),
}
DENSE_ONLY = {"lda", "qda", "naive_bayes", "hist_gradient_boosting"}


def classifier_spec(name: str) -> ClassifierSpec:
    if name not in CLASSIFIERS:
        raise ConfigError(f"unknown classifier {name!r} in field 'classifiers'; known: {sorted(CLASSIFIERS)}")
    return CLASSIFIERS[name]


def make_estimator(name: str, params: dict[str, Any], seed: int) -> BaseEstimator:
    spec = classifier_spec(name)
    module, cls_name = spec.path.split(":")
    cls = getattr(importlib.import_module(module), cls_name)
    kwargs = {**spec.defaults, **params}
    if spec.seeded:
        kwargs["random_state"] = seed
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise ConfigError(f"classifier {name!r} does not accept params {params!r}: {exc}") from exc


def make_classifier(name: str, params: dict[str, Any], seed: int, kind: str,
                    columns: dict[str, str] | None = None) -> Pipeline:
    """Preprocessing + model. Tables: impute, scale numerics, one-hot categories. Images: flatten + scale
    (the CNN takes images as they are)."""
    model = make_estimator(name, params, seed)
    if kind == "images":
        if name == "cnn":
            return make_pipeline(model)
        return make_pipeline(FunctionTransformer(_flatten), StandardScaler(), model)
    return Pipeline([("prep", tabular_preprocessor(columns or {}, dense=name in DENSE_ONLY)), ("model", model)])


def tabular_preprocessor(columns: dict[str, str], dense: bool = True) -> ColumnTransformer:
    numeric = [c for c, k in columns.items() if k in ("numeric", "datetime")]
    categorical = [c for c, k in columns.items() if k in ("categorical", "boolean")]
    num = make_pipeline(SimpleImputer(strategy="median", keep_empty_features=True), StandardScaler())
    cat = make_pipeline(SimpleImputer(strategy="constant", fill_value="__missing__"),
                        OneHotEncoder(handle_unknown="ignore", sparse_output=False, min_frequency=1))
    return ColumnTransformer([("num", num, numeric), ("cat", cat, categorical)], remainder="drop",
                             sparse_threshold=0.0 if dense else 0.3)


def _flatten(X: np.ndarray) -> np.ndarray:
    return np.asarray(X, dtype=np.float32).reshape(len(X), -1)


def classifier_family(name: str) -> str:
    return classifier_spec(name).family


def supports_class_weight(name: str) -> bool:
    """Whether the model takes `class_weight` (LR, SVM, trees, forests, HGB do; LDA, QDA, NB, MLP do not)."""
    spec = classifier_spec(name)
    module, cls_name = spec.path.split(":")
    cls = getattr(importlib.import_module(module), cls_name)
    try:
        return "class_weight" in cls().get_params()
    except TypeError:
        return False
