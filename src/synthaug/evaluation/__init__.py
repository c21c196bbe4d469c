"""Splits, classifier zoo, metrics and gain statistics of the protocol."""
