"""Validation of synthetic data: GX expectation suites, policies, fidelity, privacy, gate, Data Docs.

The runner calls `validate_synthetic` once per sampled set and `datadocs.build_cell_docs` once per
cell; `finalize` links the cells' sites with `datadocs.stitch_index`. Names of checks and metrics
live in `validation.checks`. Heavy imports (Great Expectations, SDMetrics, scikit-learn, torch)
happen on first use, once per process.
"""

from __future__ import annotations

from pathlib import Path

from synthaug.config import ValidationConfig
from synthaug.data.dataset import Dataset
from synthaug.validation.result import ValidationFailed, ValidationResult

__all__ = ["ValidationFailed", "ValidationResult", "build_data_docs", "validate_synthetic"]


def validate_synthetic(train: Dataset, synthetic: Dataset, holdout: Dataset, cfg: ValidationConfig,
                       generative: bool, seed: int, workdir: Path | None = None) -> ValidationResult:
    """Check `synthetic` against a suite built from `train`; apply the policy; measure fidelity/privacy.

    `holdout` is only the reference for distance-to-closest-record. `generative=False` (oversampling
    baselines) records gates as not applicable. Evidence for Data Docs goes to `workdir/gx/`.
    Raises `ValidationFailed` under policy `fail` when a row-level or table-level expectation fails.
    """
    if synthetic.kind == "images":
        from synthaug.validation.images import validate_images

        return validate_images(train, synthetic, holdout, cfg, generative, seed, workdir)
    from synthaug.validation.tabular import validate_tabular

    return validate_tabular(train, synthetic, holdout, cfg, generative, seed, workdir)


def build_data_docs(run_dir: Path) -> Path | None:
    """Build GX Data Docs for every sampled set of a run into `run_dir/datadocs`; return index.html."""
    from synthaug.validation.datadocs import build_data_docs as _build

    return _build(Path(run_dir))
