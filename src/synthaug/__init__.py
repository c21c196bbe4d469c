"""synthaug: does synthetic data help *your* classifier? Measured, with confidence intervals."""

from synthaug.errors import ConfigError, DataError, InputError

__all__ = ["ConfigError", "DataError", "InputError", "__version__"]
__version__ = "0.1.0"
