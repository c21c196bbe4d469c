"""The shared Markdown pieces: one table format and one gain format for the report and the artifacts."""

from __future__ import annotations

import pandas as pd

from synthaug.reporting.markdown import capped, gain_text, md_table


def test_md_table_formats_floats_dashes_missing_and_escapes_pipes() -> None:
    df = pd.DataFrame({"name": ["a|b", "c"], "n": [3, 4], "x": [0.12345, float("nan")]})
    assert md_table(df).splitlines() == ["| name | n | x |", "|---|---|---|", "| a/b | 3 | 0.123 |", "| c | 4 | – |"]
    assert md_table(df.iloc[:0]) == "*(no rows)*"


def test_gain_text_signs_both_ends_and_says_when_there_is_no_interval() -> None:
    assert gain_text(0.0123, -0.004, 0.028) == "+0.012 [-0.004, +0.028]"
    assert gain_text(0.1, float("nan"), float("nan")) == "+0.100 [n/a]"


def test_capped_names_what_was_left_out() -> None:
    df = pd.DataFrame({"i": range(25)})
    shown, more = capped(df, 20, "`sets.parquet`")
    assert len(shown) == 20 and more == "… and 5 more (see `sets.parquet`)."
    assert capped(df, 30, "x")[1] == ""
