"""Thin adapters over SDV 2.0 single-table synthesizers (GaussianCopula, CTGAN, TVAE, CopulaGAN)."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from synthaug.errors import ConfigError
from synthaug.generators import register_generator, transformer_share
from synthaug.generators.base import GLOBAL_RNG_LOCK, BaseGenerator, seeded
from synthaug.generators.params import OneOf
from synthaug.torchkit import TRAINING_IMPORTS

_TABLE = "table"
_TARGET = "__synthaug_target__"
# One draw's rows x columns. A draw is sized for the rarest class still needed, so a wide table with a
# 7% class asked for 200,000 rows; CTGAN holds its raw output (about ten floats per column) twice
# while sampling, and on a 54k x 40 table one worker peaked at 1.6 GiB. More rounds fill the rest.
_DRAW_CELLS = 2_000_000
_SDTYPES = {"numeric": "numerical", "datetime": "numerical", "categorical": "categorical",
            "boolean": "categorical"}
# Where each synthesizer's constructor is written (read by `wrapped_params` without importing SDV).
_SOURCES = {"gaussian_copula": ("single_table/copulas.py", "GaussianCopulaSynthesizer"),
            "ctgan": ("single_table/ctgan.py", "CTGANSynthesizer"),
            "tvae": ("single_table/ctgan.py", "TVAESynthesizer"),
            "copulagan": ("single_table/copulagan.py", "CopulaGANSynthesizer")}
for _name in ("sdv", "rdt", "copulas", "ctgan", "SingleTableSynthesizer"):
    logging.getLogger(_name).setLevel(logging.ERROR)


def _synthesizer_class(kind: str) -> Any:
    from sdv import single_table

    return {
        "gaussian_copula": single_table.GaussianCopulaSynthesizer,
        "ctgan": single_table.CTGANSynthesizer,
        "tvae": single_table.TVAESynthesizer,
        "copulagan": single_table.CopulaGANSynthesizer,
    }[kind]


class SDVGenerator(BaseGenerator):
    """SDV synthesizer fitted on features plus the label, so samples come with labels of their own.

    SDV neither seeds `fit` nor varies its sampling seed, so `_fit` runs under `seeded` and `_sample`
    sets the synthesizer's random state from the seed it is given.
    """

    synthesizer: ClassVar[str] = "gaussian_copula"
    max_rounds: ClassVar[int] = 20
    fit_imports: ClassVar[tuple[str, ...]] = ("sdv.single_table",)

    @classmethod
    def wrapped(cls) -> type:
        return _synthesizer_class(cls.synthesizer)

    @classmethod
    def wrapped_params(cls) -> set[str]:
        """Read from SDV's source: the config check runs in the CLI process, which never fits a model
        and need not import SDV (with torch and SDMetrics) for it; a moved class falls back to import."""
        from synthaug.generators.params import source_params

        source = _SOURCES.get(cls.synthesizer)
        names = source_params("sdv", *source) if source else None
        return set(names) if names is not None else super().wrapped_params()

    def _fit(self, X: pd.DataFrame, y: np.ndarray, column_kinds: dict[str, str]) -> None:
        df = X.reset_index(drop=True).copy()
        df[_TARGET] = y
        metadata = _metadata(df, X, column_kinds)
        params = {k: v for k, v in self.params.items() if k not in ("type",)}
        transformer_share.install()  # CTGAN and TVAE on the same rows fit ctgan's transformer once
        with warnings.catch_warnings(), seeded(self.random_state), _in_process():
            warnings.simplefilter("ignore")  # SDV's advice to save metadata JSON: we save the synthesizer
            synth = _synthesizer_class(self.synthesizer)(metadata, **params)
            synth.fit({_TABLE: df})
        self.synthesizer_ = synth
        self.columns_ = list(X.columns)

    def _sample(self, class_counts: dict[Any, int], seed: int) -> tuple[pd.DataFrame, np.ndarray]:
        """Rejection-sample by label: draw unconditional batches and keep rows per class until full.

        Bounded by `max_rounds`, so a class the model rarely produces ends short (recorded by the
        caller) instead of looping forever.
        """
        need = {c: k for c, k in class_counts.items() if k > 0}
        kept: list[pd.DataFrame] = []
        synth = self.synthesizer_
        # copulas seeds and restores numpy's *global* RNG around each draw: hold the process lock so a
        # concurrent thread's fit or draw cannot interleave with it
        with GLOBAL_RNG_LOCK, warnings.catch_warnings():
            synth.reset_sampling()
            synth._set_random_state(int(seed))
            warnings.simplefilter("ignore")
            barren = 0  # rounds in a row that filled nothing: the model does not make these classes
            for round_ in range(self.max_rounds):
                if not need or barren >= 3:
                    break
                filled = _keep(self._draw(synth, need, round_), need, kept)
                barren = 0 if filled else barren + 1
        out = pd.concat(kept, ignore_index=True) if kept else pd.DataFrame(columns=[*self.columns_, _TARGET])
        y = out[_TARGET].to_numpy()
        if self.label_dtype_.kind in "iu" and len(y):
            y = y.astype(self.label_dtype_)
        return out[self.columns_].reset_index(drop=True), y

    def _draw(self, synth: Any, need: dict[Any, int], round_: int) -> pd.DataFrame:
        size = draw_size(need, self.class_counts_, len(self.columns_) + 1, round_)
        return synth.sample(num_rows=size)[_TABLE]

    def _save_state(self, path: Path) -> dict[str, Any]:
        self.synthesizer_.save(str(path / "synthesizer.pkl"))
        return {"synthesizer": self.synthesizer, "columns": self.columns_}

    def _load_state(self, path: Path, state: dict[str, Any]) -> None:
        from sdv.utils import load_synthesizer

        self.synthesizer_ = load_synthesizer(str(path / "synthesizer.pkl"))
        self.columns_ = list(state["columns"])


def draw_size(need: dict[Any, int], train_counts: dict[Any, int], n_columns: int, round_: int) -> int:
    """Rows to draw in one round: enough that the rarest class still needed likely fills, growing 1.5x
    per barren round, and never more than `_DRAW_CELLS` cells (nor 200,000 rows)."""
    total = sum(train_counts.values())
    rarest = min(train_counts.get(c, 1) for c in need) / total
    cap = max(64, min(200_000, _DRAW_CELLS // max(n_columns, 1)))
    wanted = max(sum(need.values()) * 1.2, max(need.values()) / max(rarest, 1e-3) * 1.2, 64)
    return int(min(wanted * (1.5 ** min(round_, 4)), cap))


def _in_process() -> Any:
    """ctgan's data transformer transforms 500+ rows with `joblib.Parallel(n_jobs=-1)`: loky worker
    processes, one per core, beside a cell that is meant to use one. They also outlive the fit (loky
    keeps them 300 s), and a process worker cannot exit before its children do, so on a large table
    the grid's end waited minutes for them. Sequential gives the same columns (each column's
    transformer starts from its own state either way)."""
    from joblib import parallel_config

    return parallel_config(backend="sequential")


def _metadata(df: pd.DataFrame, X: pd.DataFrame, column_kinds: dict[str, str]) -> Any:
    """SDV metadata of features + label, with the sdtypes our column kinds say (not SDV's guesses)."""
    from sdv.metadata import Metadata

    metadata = Metadata.detect_from_dataframes({_TABLE: df})
    for col in X.columns:
        kind = column_kinds.get(col, "numeric" if pd.api.types.is_numeric_dtype(X[col]) else "categorical")
        metadata.update_column(column_name=col, sdtype=_SDTYPES.get(kind), table_name=_TABLE)
    metadata.update_column(column_name=_TARGET, sdtype="categorical", table_name=_TABLE)
    if metadata.tables[_TABLE].primary_key is not None:  # detection guesses keys; rows here are samples
        metadata.remove_primary_key(table_name=_TABLE)
    return metadata


def _keep(batch: pd.DataFrame, need: dict[Any, int], kept: list[pd.DataFrame]) -> bool:
    """Move rows of each still-needed class from `batch` into `kept`; whether any class got rows."""
    before = sum(need.values())
    for c in list(need):
        rows = batch[batch[_TARGET].astype(str) == str(c)].head(need[c])
        if len(rows):
            rows = rows.copy()
            rows[_TARGET] = c
            kept.append(rows)
            need[c] -= len(rows)
            if need[c] <= 0:
                del need[c]
    return sum(need.values()) != before


_DISTRIBUTIONS = OneOf(("norm", "beta", "truncnorm", "uniform", "gamma", "gaussian_kde"))


@register_generator("gaussian_copula", description="SDV GaussianCopula: marginals + Gaussian copula; fast")
class GaussianCopulaGenerator(SDVGenerator):
    synthesizer = "gaussian_copula"
    ranges: ClassVar[dict[str, Any]] = {"default_distribution": _DISTRIBUTIONS}


@register_generator("ctgan", description="SDV CTGAN: conditional GAN for tables (epochs, batch_size, ...)")
class CTGANGenerator(SDVGenerator):
    synthesizer = "ctgan"
    fit_imports: ClassVar[tuple[str, ...]] = (*SDVGenerator.fit_imports, *TRAINING_IMPORTS)

    def check_combination(self, params: dict[str, Any]) -> None:
        """CTGAN asserts `batch_size % pac == 0` (and even) deep inside fit; say so up front."""
        batch, pac = params.get("batch_size", 500), params.get("pac", 10)
        if isinstance(batch, int) and isinstance(pac, int) and pac > 0 and (batch % pac or batch % 2):
            raise ConfigError(f"generator {self.name!r}: batch_size ({batch}) must be even and a multiple of "
                              f"pac ({pac})")


@register_generator("tvae", description="SDV TVAE: variational autoencoder for tables (epochs, ...)")
class TVAEGenerator(SDVGenerator):
    synthesizer = "tvae"
    fit_imports: ClassVar[tuple[str, ...]] = (*SDVGenerator.fit_imports, *TRAINING_IMPORTS)


@register_generator("copulagan", description="SDV CopulaGAN: CTGAN on copula-transformed marginals")
class CopulaGANGenerator(CTGANGenerator):
    synthesizer = "copulagan"
    ranges: ClassVar[dict[str, Any]] = {"default_distribution": _DISTRIBUTIONS}
