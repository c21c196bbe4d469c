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
    assert d16["vae_aux_weight"] == d32["vae_aux_weight"] == 1.0  # the fourth pass's sweep changed neither;
    assert d16["vae_aux_warmup"] == 0.0 < d32["vae_aux_warmup"] == 0.5  # the eighth changed grayscale only
    assert d28["vae_aux_weight"] == 2.0 and d28["vae_aux_warmup"] == 0.25
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


# ---------------------------------------------------------------- fifth pass
def test_colour_vae_keeps_32_channels_at_every_size(images20):
    from synthaug.generators.images import ConditionalVAE

    d28, d32, d16 = (size_defaults(s, 1000) for s in [(1, 28, 28), (3, 32, 32), (3, 16, 16)])
    assert d28["vae_base_channels"] == 16 and d32["vae_base_channels"] == d16["vae_base_channels"] == 32
    assert d32["base_channels"] == 16  # the GAN's width did not change (its collapse is not capacity)
    for shape, width in [((3, 32, 32), 32), ((1, 28, 28), 16), ((1, 8, 8), 32)]:
        gen = ConditionalVAE(random_state=0)
        gen.image_shape_ = shape
        assert gen._resolve(100)["base_channels"] == width
    gen = ConditionalVAE(random_state=0, base_channels=8)
    gen.image_shape_ = (3, 32, 32)
    assert gen._resolve(100)["base_channels"] == 8  # a configured width wins


def test_diff_augment_moves_and_cuts_out_within_bounds():
    import torch

    from synthaug.generators.image_nets import diff_augment

    torch.manual_seed(0)
    x = torch.zeros(200, 1, 16, 16)
    x[:, :, 8, 8] = 1.0  # one lit pixel: where it lands tells the shift
    out = diff_augment(x, color=False)
    assert out.shape == x.shape
    lit = out.flatten(1).argmax(dim=1)
    rows, cols, kept = lit // 16, lit % 16, out.flatten(1).amax(dim=1) > 0
    assert ((rows[kept] - 8).abs() <= 2).all() and ((cols[kept] - 8).abs() <= 2).all()  # 16 / 8 px at most
    assert len(set(zip(rows[kept].tolist(), cols[kept].tolist()))) > 5  # and it does move
    ones = diff_augment(torch.ones(50, 1, 16, 16), color=False)
    zeros = (ones == 0).flatten(1).sum(dim=1)
    assert (zeros >= 16).all() and (zeros <= 64 + 2 * 16 * 2).all()  # an 8×8 cutout (clipped at edges) + shift
    rgb = torch.rand(8, 3, 16, 16, requires_grad=True)
    diff_augment(rgb).sum().backward()  # differentiable: the generator learns through it
    assert rgb.grad is not None and rgb.grad.abs().sum() > 0


def test_gan_with_diff_augment_fits_and_round_trips(images20, tmp_path):
    X, y = images20
    plain = make_generator("cgan", {**SMALL, "steps": 6}, 0).fit(X, y)
    gen = make_generator("cgan", {**SMALL, "steps": 6, "diff_augment": True}, 0).fit(X, y)
    assert gen.hp_["diff_augment"] is True and plain.hp_["diff_augment"] is False
    assert all(np.isfinite(h["loss_d"]) for h in gen.history_)
    assert not np.array_equal(gen.sample(4, random_state=2)[0], plain.sample(4, random_state=2)[0])
    gen.save(tmp_path)
    again = type(gen).load(tmp_path)
    np.testing.assert_array_equal(again.sample(4, random_state=2)[0], gen.sample(4, random_state=2)[0])


def test_vae_perceptual_term_adds_a_feature_distance(images20):
    import torch

    from synthaug.generators.image_nets import feature_distance

    X, y = images20
    gen = make_generator("cvae", {**SMALL, "steps": 10, "perceptual": 2.0}, 0).fit(X, y)
    Xt, yt = torch.as_tensor(X), torch.as_tensor(y)
    assert float(feature_distance(gen.aux_, Xt, Xt)) == 0.0
    blurred = torch.nn.functional.avg_pool2d(Xt, 3, 1, 1)
    assert float(feature_distance(gen.aux_, blurred, Xt)) > 0.0
    torch.manual_seed(0)
    with torch.no_grad():
        with_term = float(gen._loss(Xt, yt))
        gen.hp_["perceptual"] = 0.0
        torch.manual_seed(0)
        without = float(gen._loss(Xt, yt))
    assert with_term > without  # same draw of z: the difference is the perceptual term


def test_gan_generator_has_label_planes_without_refine_convs(images20):
    """The refine convs collapsed the GAN above 16 px (one image per class); the VAE keeps them."""
    X, y = images20
    d28 = size_defaults((1, 28, 28), 1000)
    assert d28["refine"] is True and d28["gan_refine"] is False
    gan = make_generator("cgan", {**SMALL, "steps": 2}, 0).fit(X, y)
    vae = make_generator("cvae", {**SMALL, "steps": 2}, 0).fit(X, y)
    assert gan.hp_["label_planes"] and not gan.hp_["refine"] and vae.hp_["refine"]
    assert [len(s) for s in gan.model_.generator.decoder.stages] == [3, 3, 3]  # transposed conv, BN, ReLU
    assert [len(s) for s in vae.model_.decoder.stages] == [6, 6, 6]  # plus the refine conv, BN, ReLU
    again = make_generator("cgan", {**SMALL, "steps": 2, "refine": True}, 0).fit(X, y)
    assert [len(s) for s in again.model_.generator.decoder.stages] == [6, 6, 6]  # a config can still ask


def test_gan_trains_five_times_the_shared_updates_above_16_px():
    """Above 16 px the GAN's gap after the collapse fix was training length (fifth pass: 3×; seventh: 5×)."""
    from synthaug.generators.image_costs import fit_plan
    from synthaug.generators.image_gan import ConditionalGAN
    from synthaug.generators.images import ConditionalVAE

    for shape, vae_steps, gan_steps in [((1, 8, 8), 1000, 1000), ((1, 28, 28), 2700, 9000), ((3, 32, 32), 2000, 10000)]:
        vae = fit_plan(ConditionalVAE(random_state=0), shape, 4, 1000)["steps"]
        gan = fit_plan(ConditionalGAN(random_state=0), shape, 4, 1000)["steps"]  # what the dry-run plans
        assert vae_steps <= vae < vae_steps * 1.02 and gan_steps <= gan < gan_steps * 1.02  # whole epochs
    assert fit_plan(ConditionalGAN(random_state=0, steps=300), (1, 28, 28), 4, 1000)["steps"] < 400  # config wins


def test_gan_critic_is_twice_the_generator_width_above_16_px_only(images20, tmp_path):
    """Seventh pass: above 16 px the critic is `critic_width` (2) × `base_channels` wide; at ≤ 16 px it keeps
    the generator's width, and a model saved before the knob existed loads with the width it was fitted at."""
    assert [size_defaults(s, 1000)["gan_critic_width"] for s in [(1, 8, 8), (3, 16, 16), (1, 28, 28), (3, 32, 32)]] \
        == [1, 1, 2, 2]
    X, y = images20
    gen = make_generator("cgan", {**SMALL, "steps": 2}, 0).fit(X, y)
    assert gen.model_.critic.features.net[0].out_channels == 16  # 2 × base_channels 8
    small = make_generator("cgan", {**SMALL, "steps": 2}, 0).fit(X[:, :, :16, :16], y)
    assert small.hp_["critic_width"] == 1 and small.model_.critic.features.net[0].out_channels == 8
    old = make_generator("cgan", {**SMALL, "steps": 2, "critic_width": 1}, 0).fit(X, y)
    old.save(tmp_path)
    meta = tmp_path / "params.json"
    doc = json.loads(meta.read_text())
    doc["params"].pop("critic_width", None), doc["state"]["resolved"].pop("critic_width")  # as an older save
    meta.write_text(json.dumps(doc))
    again = type(old).load(tmp_path)
    np.testing.assert_array_equal(again.sample(4, random_state=2)[0], old.sample(4, random_state=2)[0])


# ---------------------------------------------------------------- eighth pass
def test_grayscale_vae_above_16_px_has_the_eighth_pass_settings():
    """Grayscale above 16 px: aux 2.0 ramped over a quarter, half the latent, EMA and 1.5× the shared updates
    (28 px shapes 0.74 → 0.82 over four GPU seeds). At ≤ 16 px, on colour and for the GAN every resolved
    hyperparameter is what it was, and the dry-run plans the longer fit."""
    from synthaug.generators.image_costs import fit_plan
    from synthaug.generators.image_gan import ConditionalGAN
    from synthaug.generators.images import ConditionalVAE

    def resolved(cls, shape):
        gen = cls(random_state=0)
        gen.image_shape_ = shape
        return gen._resolve(1000)

    vae28 = resolved(ConditionalVAE, (1, 28, 28))
    assert (vae28["steps"], vae28["latent_dim"], vae28["aux_weight"], vae28["aux_warmup"], vae28["ema"]) \
        == (2700, 8, 2.0, 0.25, 0.995)
    assert resolved(ConditionalVAE, (1, 20, 20))["steps"] == 1800  # 1.5 × the shared 1,200
    gan28 = resolved(ConditionalGAN, (1, 28, 28))
    assert (gan28["steps"], gan28["latent_dim"], gan28["ema"]) == (9000, 16, 0.0)  # the GAN keeps its own
    for shape, steps, latent in [((1, 8, 8), 1000, 16), ((1, 16, 16), 1000, 16), ((3, 16, 16), 1000, 16),
                                 ((3, 32, 32), 2000, 32)]:
        vae = resolved(ConditionalVAE, shape)
        assert (vae["steps"], vae["latent_dim"], vae["aux_weight"]) == (steps, latent, 1.0), shape
        assert vae["ema"] == (0.995 if shape[1] > 16 else 0.0) and vae["aux_warmup"] == (0.5 if shape[1] > 16 else 0.0)
    assert 2700 <= fit_plan(ConditionalVAE(random_state=0), (1, 28, 28), 8, 1000)["steps"] < 2750
    configured = ConditionalVAE(random_state=0, latent_dim=16, steps=1800, aux_weight=1.0, ema=0.0)
    configured.image_shape_ = (1, 28, 28)
    hp = configured._resolve(1000)  # a config still sets each of them
    assert (hp["latent_dim"], hp["steps"], hp["aux_weight"], hp["ema"]) == (16, 1800, 1.0, 0.0)


# ---------------------------------------------------------------- tenth pass
def test_vae_samples_at_temperature_1_2_up_to_16_px_only(images20, tmp_path):
    """Tenth pass: up to 16 px the VAE draws z ~ N(0, I) × 1.2 (digits' diversity 0.56 → 0.63 at agreement
    1.00); above 16 px, and wherever a config sets it, the temperature is what it was. Only sampling
    changes, and a model saved with 1.0 keeps sampling at 1.0."""
    from synthaug.generators.images import ConditionalVAE

    def resolved(shape, **params):
        gen = ConditionalVAE(random_state=0, **params)
        gen.image_shape_ = shape
        return gen._resolve(1000)["temperature"]

    assert [resolved(s) for s in [(1, 8, 8), (1, 16, 16), (3, 16, 16), (1, 20, 20), (1, 28, 28), (3, 32, 32)]] \
        == [1.2, 1.2, 1.2, 1.0, 1.0, 1.0]
    assert resolved((1, 8, 8), temperature=1.0) == 1.0
    X, y = images20[0][:, :, :8, :8], images20[1]
    default = make_generator("cvae", {**SMALL, "steps": 2}, 0).fit(X, y)
    one = make_generator("cvae", {**SMALL, "steps": 2, "temperature": 1.0}, 0).fit(X, y)
    hot, cool = default.sample(6, random_state=3)[0], one.sample(6, random_state=3)[0]
    assert default.hp_["temperature"] == 1.2 and not np.allclose(hot, cool)  # same fit, wider prior
    one.save(tmp_path)
    np.testing.assert_array_equal(type(one).load(tmp_path).sample(6, random_state=3)[0], cool)
