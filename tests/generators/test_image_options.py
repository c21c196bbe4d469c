"""Image generator options of the fourth pass (issue 12): the GAN's minibatch-std feature, AC-GAN head and
aux warm-up, the VAE's KL warm-up and free bits, and the size defaults that chose among them."""

from __future__ import annotations

import json

import numpy as np
import pytest

from synthaug.generators import make_generator
from synthaug.generators.image_base import size_defaults

SMALL = {"base_channels": 8, "aux_steps": 5, "check_steps": 0, "batch_size": 4}


@pytest.fixture(scope="module")
def images20() -> tuple[np.ndarray, np.ndarray]:
    """Eight 20×20 images, two classes: above 16 px, so the large-image defaults apply."""
    return np.random.default_rng(1).random((8, 1, 20, 20), dtype=np.float32), np.repeat([0, 1], 4)


def test_size_defaults_of_the_fourth_pass():
    d16, d28, d32 = (size_defaults(s, 1000) for s in [(1, 16, 16), (1, 28, 28), (3, 32, 32)])
    assert d16["vae_aux_weight"] == d28["vae_aux_weight"] == d32["vae_aux_weight"] == 1.0
    assert d16["vae_aux_warmup"] == 0.0 < d28["vae_aux_warmup"] == 0.5  # the sweep changed neither
    for d in (d16, d28, d32):  # the GAN's new parts are off by default at every size
        assert d["gan_aux_weight"] == 1.0 and d["gan_aux_warmup"] == 0.0
        assert d["gan_minibatch_std"] is False and d["gan_ac_weight"] == 0.0


def test_gan_minibatch_std_and_ac_head_round_trip(images20, tmp_path):
    import torch

    X, y = images20
    params = {**SMALL, "steps": 6, "minibatch_std": True, "ac_weight": 1.0, "aux_weight": 0.3, "aux_warmup": 0.5}
    gen = make_generator("cgan", params, 0).fit(X, y)
    critic = gen.model_.critic
    assert critic.mbstd and critic.cls is not None and critic.out.in_features == critic.features.out_dim + 1
    score, logits = critic.both(torch.as_tensor(X), torch.as_tensor(y))
    assert score.shape == (8,) and logits.shape == (8, 2)
    assert all(np.isfinite(h["loss_g"]) for h in gen.history_)
    gen.save(tmp_path)
    again = type(gen).load(tmp_path)
    np.testing.assert_array_equal(again.sample(4, random_state=2)[0], gen.sample(4, random_state=2)[0])


def test_gan_saved_before_the_new_parts_loads(images20, tmp_path):
    X, y = images20
    gen = make_generator("cgan", {**SMALL, "steps": 2}, 0).fit(X, y)
    assert not gen.model_.critic.mbstd and gen.model_.critic.cls is None
    gen.save(tmp_path)
    meta = tmp_path / "params.json"
    doc = json.loads(meta.read_text())
    for key in ("minibatch_std", "ac_weight", "aux_warmup"):
        doc["params"].pop(key, None), doc["state"]["resolved"].pop(key)  # as an older save has it
    meta.write_text(json.dumps(doc))
    again = type(gen).load(tmp_path)
    np.testing.assert_array_equal(again.sample(4, random_state=2)[0], gen.sample(4, random_state=2)[0])


def test_vae_kl_warmup_and_free_bits(images20):
    import torch

    X, y = images20
    gen = make_generator("cvae", {**SMALL, "steps": 10, "kl_warmup": 1.0, "free_bits": 0.5}, 0).fit(X, y)
    assert 0.0 < gen.kl_scale_ < 1.0  # still ramping at the last update: warm-up over all of them
    gen.kl_scale_ = 1.0
    with torch.no_grad():  # free bits: every latent dimension costs at least 0.5 nats × beta
        floor = float(gen.q("beta")) * 0.5 * int(gen.q("latent_dim"))
        assert float(gen._loss(torch.as_tensor(X), torch.as_tensor(y))) >= floor


def test_vae_with_ten_updates_fits(images20):
    """A one-update OneCycle warm-up divided by zero (10 updates: the dry-run's cost probe)."""
    X, y = images20
    gen = make_generator("cvae", {**SMALL, "steps": 10}, 0).fit(X, y)
    assert gen.history_ and np.isfinite(gen.history_[-1]["loss"])
