"""Splits, classifier zoo, metrics and gain statistics of the protocol.

Importing the package registers the `class_weight` baseline slot in the generator registry, so any
code path that reaches the protocol (runner, preflight, scoring) knows the name.
"""

from synthaug.evaluation.class_weight import register as _register_class_weight

_register_class_weight()
