"""Errors a user can fix: the CLI turns these into exit code 2 with the message as written."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input found before heavy work: the message names the file, column or field and its value."""


class ConfigError(InputError):
    """A config file or override that cannot be parsed or fails validation."""


class DataError(InputError):
    """A dataset that cannot be read or cannot support a classification experiment."""
