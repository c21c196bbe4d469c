"""The classifier zoo: each a scikit-learn Pipeline whose preprocessing is fitted on training rows only.

A config names a classifier by its short name (`CLASSIFIERS`) or by the import path of any installed
class with `fit` and `predict` (`sklearn.ensemble.ExtraTreesClassifier` or `package.module:Class`).
A path class is wrapped exactly like the built-ins (same preprocessing, the cell's seed as
`random_state` when it takes one, `class_weight` when it takes one), so a plugin is compared on the
same footing; classes outside scikit-learn's estimator API go through `ForeignClassifier`.
"""

from __future__ import annotations

import copy
import importlib
import inspect
from functools import cache
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, is_classifier
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler
from sklearn.utils.metaestimators import available_if

from synthaug.errors import ConfigError
from synthaug.evaluation.classifier_registry import (
    CLASSIFIERS,
    DENSE_ONLY,
    FIELD,
    GENERATIVE_CLASSES,
    ClassifierSpec,
)


def classifier_spec(name: str) -> ClassifierSpec:
    """The built-in spec of a short name, or one made for an import path; ConfigError names the value."""
    if name in CLASSIFIERS:
        return CLASSIFIERS[name]
    if "." in name or ":" in name:
        return _plugin_spec(name)
    raise ConfigError(f"unknown classifier {name!r} in {FIELD}; known: {sorted(CLASSIFIERS)}, or the import "
                      "path of a class with fit/predict (e.g. 'sklearn.ensemble.ExtraTreesClassifier')")


def is_plugin(name: str) -> bool:
    """Named by import path rather than a built-in short name."""
    return name not in CLASSIFIERS


def import_class(path: str, what: str = "classifier") -> type:
    """`pkg.mod.Class` or `pkg.mod:Class` to the class; ConfigError (naming the field and path) otherwise."""
    module, sep, attr = path.partition(":") if ":" in path else path.rpartition(".")
    if not (module and sep and attr):
        raise ConfigError(f"{what} {path!r} in {FIELD} is not an import path (module.Class or module:Class)")
    try:
        cls = getattr(importlib.import_module(module), attr)
    except Exception as exc:  # noqa: BLE001 - any import failure is the config's problem, named as such
        raise ConfigError(f"{what} {path!r} in {FIELD} cannot be imported: {type(exc).__name__}: {exc}") from exc
    if not inspect.isclass(cls):
        raise ConfigError(f"{what} {path!r} in {FIELD} is not a class")
    return cls


@cache
def _plugin_spec(path: str) -> ClassifierSpec:
    """Spec for a class named by import path: checked to be a classifier, seeded when it takes
    `random_state`, generative only when it is (a subclass of) a known P(X|Y) model."""
    cls = import_class(path)
    missing = [m for m in ("fit", "predict") if not callable(getattr(cls, m, None))]
    if missing:
        raise ConfigError(f"classifier {path!r} in {FIELD} is not a classifier: it has no {'/'.join(missing)}")
    instance = _default_instance(cls)
    if _is_sklearn_estimator(cls) and instance is not None and not is_classifier(instance):
        raise ConfigError(f"classifier {path!r} in {FIELD} is not a classifier (scikit-learn tags it as "
                          "another kind of estimator, e.g. a regressor)")
    generative = any(issubclass(cls, import_class(g)) for g in GENERATIVE_CLASSES)
    doc = (inspect.getdoc(cls) or "").split("\n", 1)[0]
    return ClassifierSpec(path, {}, "generative" if generative else "discriminative",
                          seeded="random_state" in param_names(cls), description=doc or path)


def _default_instance(cls: type) -> Any:
    """`cls()`, or None when it needs arguments (or fails): only used to ask about its parameters."""
    try:
        return cls()
    except Exception:  # noqa: BLE001 - a class that cannot be built bare is still usable with params
        return None


def _is_sklearn_estimator(cls: type) -> bool:
    """Whether a Pipeline can hold the class as it is (scikit-learn's estimator API: params and tags)."""
    return callable(getattr(cls, "get_params", None)) and callable(getattr(cls, "__sklearn_tags__", None))


def param_names(cls: type) -> frozenset[str]:
    """Constructor parameters: what `get_params` reports for a default instance (it includes keyword
    pass-throughs some libraries declare as **kwargs), else the signature's named parameters."""
    instance = _default_instance(cls)
    if instance is not None and callable(getattr(instance, "get_params", None)):
        return frozenset(instance.get_params(deep=False))
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    try:
        return frozenset(n for n, p in inspect.signature(cls).parameters.items() if p.kind in kinds)
    except (TypeError, ValueError):  # builtins without a signature
        return frozenset()


def make_estimator(name: str, params: dict[str, Any], seed: int) -> BaseEstimator:
    """The bare model with the spec's defaults, the config's params and the seed; unknown or unusable
    parameter names are a ConfigError naming the classifier and the params."""
    spec = classifier_spec(name)
    cls = import_class(spec.path)
    kwargs = {**spec.defaults, **params}
    if spec.seeded:
        kwargs["random_state"] = seed
    try:
        model = cls(**kwargs)
    except TypeError as exc:
        raise ConfigError(f"classifier {name!r} in {FIELD} does not accept params {params!r}: {exc}") from exc
    known = model.get_params(deep=False) if callable(getattr(model, "get_params", None)) else kwargs
    unknown = sorted(set(kwargs) - set(known))
    if unknown:
        raise ConfigError(f"classifier {name!r} in {FIELD} does not accept params {unknown} (given {params!r})")
    return model if _is_sklearn_estimator(cls) else ForeignClassifier(model)


def make_classifier(name: str, params: dict[str, Any], seed: int, kind: str,
                    columns: dict[str, str] | None = None) -> Pipeline:
    """Preprocessing + model. Tables: impute, scale numerics, one-hot categories. Images: flatten + scale
    (the CNN takes images as they are). Plugins get dense input: not every estimator takes sparse."""
    model = make_estimator(name, params, seed)
    if kind == "images":
        if name == "cnn":
            return make_pipeline(model)
        return make_pipeline(FunctionTransformer(_flatten), StandardScaler(), model)
    dense = name in DENSE_ONLY or is_plugin(name)
    return Pipeline([("prep", tabular_preprocessor(columns or {}, dense=dense)), ("model", model)])


def tabular_preprocessor(columns: dict[str, str], dense: bool = True) -> ColumnTransformer:
    """Median-impute and scale numerics, one-hot categories (unseen test categories ignored)."""
    numeric = [c for c, k in columns.items() if k in ("numeric", "datetime")]
    categorical = [c for c, k in columns.items() if k in ("categorical", "boolean")]
    num = make_pipeline(SimpleImputer(strategy="median", keep_empty_features=True), StandardScaler())
    cat = make_pipeline(SimpleImputer(strategy="constant", fill_value="__missing__"),
                        OneHotEncoder(handle_unknown="ignore", sparse_output=False, min_frequency=1))
    return ColumnTransformer([("num", num, numeric), ("cat", cat, categorical)], remainder="drop",
                             sparse_threshold=0.0 if dense else 0.3)


def _flatten(X: np.ndarray) -> np.ndarray:
    """Images to pixel rows for the models that take a flat feature vector."""
    return np.asarray(X, dtype=np.float32).reshape(len(X), -1)


def classifier_family(name: str) -> str:
    """"generative" (models P(X|Y): LDA, QDA, naive Bayes) or "discriminative" (models P(Y|X))."""
    return classifier_spec(name).family


def supports_class_weight(name: str) -> bool:
    """Whether the model takes `class_weight` (LR, SVM, trees, forests, HGB do; LDA, QDA, NB, MLP do not)."""
    return "class_weight" in param_names(import_class(classifier_spec(name).path))


def _inner_has(method: str) -> Any:
    """`available_if` check: the wrapper offers `method` only when the wrapped model does."""
    return lambda self: hasattr(self.estimator, method)


class ForeignClassifier(ClassifierMixin, BaseEstimator):
    """A fitted-in-place model with `fit`/`predict` but without scikit-learn's estimator API (tags,
    `get_params`), made fit for a Pipeline. `decision_function`/`predict_proba` exist only when the
    wrapped model has them, so metrics that need scores are NaN rather than faked from labels."""

    def __init__(self, estimator: Any) -> None:
        self.estimator = estimator

    def fit(self, X: Any, y: Any) -> ForeignClassifier:
        """Fit a copy (the configured instance stays unfitted, as scikit-learn's `clone` would leave it)."""
        self.estimator_ = copy.deepcopy(self.estimator)
        self.estimator_.fit(X, y)  # some libraries return None, not self
        self.classes_ = np.asarray(getattr(self.estimator_, "classes_", np.unique(np.asarray(y))))
        return self

    def predict(self, X: Any) -> np.ndarray:
        """The wrapped model's labels, as an array (metrics compare them element-wise)."""
        return np.asarray(self.estimator_.predict(X))

    @available_if(_inner_has("decision_function"))
    def decision_function(self, X: Any) -> np.ndarray:
        return np.asarray(self.estimator_.decision_function(X))

    @available_if(_inner_has("predict_proba"))
    def predict_proba(self, X: Any) -> np.ndarray:
        return np.asarray(self.estimator_.predict_proba(X))
