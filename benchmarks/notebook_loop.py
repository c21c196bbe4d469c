"""The notebook a data scientist would write instead of synthaug: one process, default threads.

Why: the pipeline's wall time means little alone; beside the same work written by hand it says what
orchestration, validation and reporting cost, and whether two workers pay. The work matches
`speed_bench.py`'s notebook-equivalent config: breast cancer, 3 repeated stratified 75/25 splits,
GaussianCopula + CTGAN and TVAE (100 epochs) + SMOTE fitted on each training split and sampled
1× with the training class mix, five classifiers each scored real-only, real + synthetic and
synthetic-only on the test rows. No validation, no report, no cache.

    python benchmarks/notebook_loop.py   # prints the wall seconds as `seconds: X`
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd
from imblearn.over_sampling import SMOTE
from sdv.metadata import Metadata
from sdv.single_table import CTGANSynthesizer, GaussianCopulaSynthesizer, TVAESynthesizer
from sklearn.datasets import load_breast_cancer
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

CLASSIFIERS = {
    "logistic_regression": lambda: make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
    "svm": lambda: make_pipeline(StandardScaler(), SVC()),
    "lda": lambda: make_pipeline(StandardScaler(), LinearDiscriminantAnalysis()),
    "decision_tree": lambda: DecisionTreeClassifier(random_state=0),
    "random_forest": lambda: RandomForestClassifier(random_state=0),
}


def synthesize(name: str, train: pd.DataFrame, seed: int) -> pd.DataFrame:
    if name == "smote":
        X, y = train.drop(columns="target"), train["target"]
        counts = y.value_counts()
        Xr, yr = SMOTE(sampling_strategy={c: 2 * n for c, n in counts.items()}, random_state=seed).fit_resample(X, y)
        return Xr.iloc[len(X):].assign(target=yr.iloc[len(X):].to_numpy())
    metadata = Metadata.detect_from_dataframes({"t": train})
    metadata.update_column(column_name="target", sdtype="categorical", table_name="t")
    model = {"gaussian_copula": lambda: GaussianCopulaSynthesizer(metadata),
             "ctgan": lambda: CTGANSynthesizer(metadata, epochs=100),
             "tvae": lambda: TVAESynthesizer(metadata, epochs=100)}[name]()
    model.fit({"t": train})
    return model.sample(num_rows=len(train))["t"]


def score(X: pd.DataFrame, y: np.ndarray, test: pd.DataFrame) -> dict[str, float]:
    if len(np.unique(y)) < 2:
        return dict.fromkeys(CLASSIFIERS, float("nan"))
    out = {}
    for name, make in CLASSIFIERS.items():
        model = make().fit(X, y)
        out[name] = f1_score(test["target"], model.predict(test.drop(columns="target")), average="macro")
    return out


def main() -> None:
    start = time.perf_counter()
    warnings.simplefilter("ignore")
    data = load_breast_cancer(as_frame=True).frame
    rows = []
    for r in range(3):
        train, test = train_test_split(data, test_size=0.25, stratify=data["target"], random_state=r)
        base = score(train.drop(columns="target"), train["target"].to_numpy(), test)
        for gen in ("gaussian_copula", "ctgan", "tvae", "smote"):
            synth = synthesize(gen, train, r)
            both = pd.concat([train, synth], ignore_index=True)
            aug = score(both.drop(columns="target"), both["target"].to_numpy(), test)
            tstr = score(synth.drop(columns="target"), synth["target"].to_numpy(), test)
            rows += [{"repeat": r, "generator": gen, "classifier": c, "baseline": base[c], "augmented": aug[c],
                      "tstr": tstr[c]} for c in CLASSIFIERS]
    table = pd.DataFrame(rows)
    print(table.groupby(["generator", "classifier"])[["baseline", "augmented", "tstr"]].mean().round(3))
    print(f"seconds: {time.perf_counter() - start:.1f}")


if __name__ == "__main__":
    main()
