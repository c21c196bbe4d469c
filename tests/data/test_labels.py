"""Labels of every common encoding become codes inside and come back as the user's values and dtype."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthaug.data.labels import LabelCodec

ENCODINGS = {
    "int": pd.Series([1, 0, 1, 1], dtype="int64"),
    "bool": pd.Series([True, False, True, True]),
    "float": pd.Series([1.0, 0.0, 1.0, 1.0]),
    "string": pd.Series(["yes", "no", "yes", "yes"]),
    "category": pd.Series(["yes", "no", "yes", "yes"], dtype="category"),
    "Int64": pd.Series([1, 0, 1, 1], dtype="Int64"),
    "boolean": pd.Series([True, False, True, True], dtype="boolean"),
    "string[pyarrow]": pd.Series(["yes", "no", "yes", "yes"], dtype="string[pyarrow]"),
}


@pytest.mark.parametrize("name", list(ENCODINGS))
def test_codes_follow_sorted_values_and_decode_to_the_original_dtype(name):
    # Setup
    col = ENCODINGS[name]
    # Run
    codec = LabelCodec.fit(col)
    codes = codec.encode(col)
    back = codec.decode(codes, "y")
    # Assert
    assert codes.dtype == np.int64 and codes.tolist() == [1, 0, 1, 1]
    assert str(back.dtype) == str(col.dtype)
    assert back.tolist() == col.tolist()


def test_string_and_int_encodings_of_one_target_give_the_same_codes():
    # Setup
    text = pd.Series(["malignant", "benign", "benign", "malignant"])
    ints = (text == "malignant").astype(int)
    # Run / Assert
    assert LabelCodec.fit(text).encode(text).tolist() == LabelCodec.fit(ints).encode(ints).tolist()


def test_multiclass_ints_sort_numerically_not_as_text():
    # Setup
    col = pd.Series([10, 2, 3, 2, 10])
    # Run
    codec = LabelCodec.fit(col)
    # Assert
    assert codec.values == (2, 3, 10) and codec.encode(col).tolist() == [2, 0, 1, 0, 2]
    assert codec.named_counts({0: 2, 2: 2}) == {"2": 2, "10": 2}


def test_unknown_label_is_an_error_not_a_new_class():
    # Setup
    codec = LabelCodec.fit(pd.Series(["a", "b"]))
    # Run / Assert
    with pytest.raises(ValueError, match="'c'"):
        codec.encode(pd.Series(["a", "c"]))
