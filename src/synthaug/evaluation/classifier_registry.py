"""The classifier registry: short names and what each builds, readable without importing scikit-learn.

Why a module of its own: a driver lists or preloads the configured classifiers' modules (the worker
pool's seed imports them while the driver still starts) before anything is fitted, and importing
scikit-learn there costs a second of CPU on the run's critical path. Building and checking classifiers
stays in `synthaug.evaluation.classifiers`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FIELD = "field 'classifiers'"


@dataclass(frozen=True)
class ClassifierSpec:
    """How to build one classifier: a class path, the defaults that make it a fair baseline, its family."""

    path: str  # "module:Class"
    defaults: dict[str, Any]
    family: str  # "generative" models P(X|Y); "discriminative" models P(Y|X)
    kinds: tuple[str, ...] = ("tabular", "images")
    seeded: bool = True  # the cell's seed goes to `random_state`
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
# Classes that model P(X|Y) (and their subclasses): a plugin path to one of them is "generative".
GENERATIVE_CLASSES = ("sklearn.discriminant_analysis:LinearDiscriminantAnalysis",
                      "sklearn.discriminant_analysis:QuadraticDiscriminantAnalysis",
                      "sklearn.naive_bayes:GaussianNB", "sklearn.naive_bayes:MultinomialNB",
                      "sklearn.naive_bayes:BernoulliNB", "sklearn.naive_bayes:ComplementNB",
                      "sklearn.naive_bayes:CategoricalNB")


def classifier_module(name: str) -> str:
    """The module a classifier's class lives in (a built-in's, or a plugin path's module part), read
    from the name alone: nothing is imported, and an unimportable path is the preflight's error."""
    path = CLASSIFIERS[name].path if name in CLASSIFIERS else name
    return path.partition(":")[0] if ":" in path else path.rpartition(".")[0]
