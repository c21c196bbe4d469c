"""Image generators: registry, fit/sample shapes, seeding, save/load round trip, SMOTE on pixels."""

from __future__ import annotations

import json

import numpy as np
import pytest

from synthaug.generators import GENERATORS, generator_class, make_generator

TINY = {"cvae": {"epochs": 2, "batch_size": 32, "aux_steps": 10},
        "cgan": {"epochs": 2, "batch_size": 32, "aux_steps": 10},
        "classical_augment": {}}


@pytest.fixture(scope="module")
def tiny(digits_split):
    train, _ = digits_split
    keep = np.flatnonzero(np.isin(train.y, [0, 1, 2]))[:90]
    return train.X[keep], train.y[keep]


def test_registered_for_images():
    assert generator_class("cvae").kinds == ("images",)
    for name in ("cvae", "cgan", "classical_augment", "smote"):
        assert "images" in GENERATORS[name].kinds
    assert GENERATORS["cvae"].generative and GENERATORS["cgan"].generative
    assert not GENERATORS["classical_augment"].generative


@pytest.mark.parametrize("name", sorted(TINY))
def test_fit_sample_save_load(name, tiny, tmp_path):
    X, y = tiny
    gen = make_generator(name, TINY[name], seed=3).fit(X, y)
    Xs, ys = gen.sample(30, {0: 10, 1: 15, 2: 5}, random_state=7)
    assert Xs.shape == (30, 1, 8, 8) and Xs.dtype == np.float32
    assert 0.0 <= Xs.min() and Xs.max() <= 1.0 and np.isfinite(Xs).all()
    assert {int(c): int((ys == c).sum()) for c in (0, 1, 2)} == {0: 10, 1: 15, 2: 5}
    assert gen.sample(12)[0].shape[0] == 12  # default: the training class mix
    gen.save(tmp_path / "g")
    doc = json.loads((tmp_path / "g" / "params.json").read_text())
    assert doc["params"]["random_state"] == 3
    again = type(gen).load(tmp_path / "g")
    Xa, ya = again.sample(30, {0: 10, 1: 15, 2: 5}, random_state=7)
    np.testing.assert_allclose(Xa, Xs, atol=1e-6)
    assert (ya == ys).all()
    assert not np.allclose(gen.sample(30, {0: 10, 1: 15, 2: 5}, random_state=8)[0], Xs)


@pytest.mark.parametrize("name", ["cvae", "cgan"])
def test_same_seed_same_samples(name, tiny):
    X, y = tiny
    a = make_generator(name, TINY[name], seed=1).fit(X, y)
    b = make_generator(name, TINY[name], seed=1).fit(X, y)
    np.testing.assert_array_equal(a.sample(20, random_state=0)[0], b.sample(20, random_state=0)[0])
    assert len(a.history_) == 2 and all(np.isfinite(list(h.values())).all() for h in a.history_)
    saved = [k for k in a.model_.state_dict()]
    assert saved, "state_dict must hold the weights"


def test_string_labels_round_trip(tiny, tmp_path):
    X, y = tiny
    labels = np.array(["zero", "one", "two"])[y]
    gen = make_generator("cvae", TINY["cvae"], seed=0).fit(X, labels)
    gen.save(tmp_path / "s")
    again = type(gen).load(tmp_path / "s")
    _, ys = again.sample(9, {"one": 4, "two": 5})
    assert sorted(ys.tolist()) == ["one"] * 4 + ["two"] * 5


def test_vae_stops_early_and_logs_progress(tiny, caplog):
    X, y = tiny
    gen = make_generator("cvae", {"epochs": 50, "patience": 1, "lr": 1e-1, "val_fraction": 0.2, "aux_steps": 5},
                         seed=0)
    seen = []
    gen.on_epoch = lambda e, n, losses: seen.append(e)
    with caplog.at_level("INFO", logger="synthaug"):
        gen.fit(X, y)
    assert len(gen.history_) < 50 and "val_loss" in gen.history_[0]
    assert seen == [h["epoch"] for h in gen.history_]
    assert "cvae epoch 1/50" in caplog.text


def test_unknown_param_and_unknown_class(tiny):
    with pytest.raises(ValueError, match="unknown parameter"):
        make_generator("cgan", {"epoch": 3}, seed=0)
    X, y = tiny
    gen = make_generator("classical_augment", {}, seed=0).fit(X, y)
    with pytest.raises(ValueError, match="absent from the training labels"):
        gen.sample(3, {7: 3})


def test_smote_on_images(tiny, tmp_path):
    X, y = tiny
    gen = make_generator("smote", {}, seed=0).fit(X, y)
    Xs, ys = gen.sample(20, {0: 10, 2: 10})
    assert Xs.shape == (20, 1, 8, 8) and Xs.dtype == np.float32 and sorted(set(ys.tolist())) == [0, 2]
    assert 0.0 <= Xs.min() and Xs.max() <= 1.0
    gen.save(tmp_path / "sm")
    np.testing.assert_array_equal(type(gen).load(tmp_path / "sm").sample(20, {0: 10, 2: 10})[0], Xs)
