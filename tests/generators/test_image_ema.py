"""Image generator options of the sixth pass (issue 12): averaged sampler weights (`ema`, on by default for
the VAE above 16 px: colour images since this pass, grayscale since the eighth), the GAN's hinge loss,
extra critic updates and wider critic, and an aux classifier trained without jitter."""

from __future__ import annotations

import numpy as np
import pytest

from synthaug.generators import make_generator
from synthaug.generators.image_base import size_defaults

SMALL = {"base_channels": 8, "aux_steps": 5, "check_steps": 0, "batch_size": 4}


@pytest.fixture(scope="module")
def rgb20() -> tuple[np.ndarray, np.ndarray]:
    """Eight 20×20 RGB images, two classes: colour and above 16 px, where the VAE averages by default."""
    return np.random.default_rng(3).random((8, 3, 20, 20), dtype=np.float32), np.repeat([0, 1], 4)


def test_ema_is_a_vae_default_above_16_px():
    """Colour since the sixth pass, grayscale since the eighth (with its aux 2.0, half latent, 1.5× updates)."""
    for shape, vae_ema in [((3, 32, 32), 0.995), ((3, 20, 20), 0.995), ((1, 28, 28), 0.995), ((3, 16, 16), 0.0),
                           ((1, 8, 8), 0.0)]:
        assert size_defaults(shape, 1000)["vae_ema"] == vae_ema, shape
    from synthaug.generators.image_costs import fit_plan

    vae, gan = make_generator("cvae", {}, 0), make_generator("cgan", {}, 0)
    fit_plan(vae, (3, 32, 32), 6, 1000), fit_plan(gan, (3, 32, 32), 6, 1000)
    assert vae.hp_["ema"] == 0.995 and gan.hp_["ema"] == 0.0  # the GAN's averaged weights lost agreement


def test_ema_samples_from_the_average_and_leaves_training_alone(rgb20, tmp_path):
    """The live weights after an EMA fit are those of the same fit without EMA (the average draws no random
    numbers), the samples come from the average, and a saved model samples as the fitted one does."""
    X, y = rgb20
    params = {**SMALL, "steps": 12}
    plain = make_generator("cvae", {**params, "ema": 0.0}, 0).fit(X, y)
    gen = make_generator("cvae", {**params, "ema": 0.9}, 0).fit(X, y)
    assert plain.ema_ is None and gen.ema_.averaged_is_live and gen.ema_.updates == 12
    averaged = gen.sample(6, random_state=2)[0]
    assert not np.array_equal(averaged, plain.sample(6, random_state=2)[0])
    gen.save(tmp_path)
    again = type(gen).load(tmp_path)
    np.testing.assert_array_equal(again.sample(6, random_state=2)[0], averaged)
    gen.ema_.swap(gen)  # the live weights back in place
    np.testing.assert_array_equal(gen.sample(6, random_state=2)[0], plain.sample(6, random_state=2)[0])


def test_batch_norm_recalibration_draws_no_global_random_numbers(rgb20):
    import torch

    from synthaug.generators.image_ema import recalibrate_batch_norm

    X, y = rgb20
    gen = make_generator("cgan", {**SMALL, "steps": 3, "ema": 0.9}, 0).fit(X, y)
    bn = next(m for m in gen.model_.generator.modules() if isinstance(m, torch.nn.BatchNorm2d))
    before, state = bn.running_mean.clone(), torch.get_rng_state()
    bn.running_mean.fill_(5.0)
    recalibrate_batch_norm(gen)  # the fit ended with one: the same seeded draws give the same statistics
    assert torch.equal(torch.get_rng_state(), state)
    assert torch.allclose(bn.running_mean, before) and bn.momentum == 0.1


@pytest.mark.parametrize("extra", [{"loss": "hinge"}, {"d_steps": 2}, {"critic_channels": 24}, {"critic_width": 1}])
def test_gan_sixth_pass_knobs_fit(rgb20, extra):
    X, y = rgb20
    plain = make_generator("cgan", {**SMALL, "steps": 6}, 0).fit(X, y)
    gen = make_generator("cgan", {**SMALL, "steps": 6, **extra}, 0).fit(X, y)
    assert all(np.isfinite(h["loss_d"]) and np.isfinite(h["loss_g"]) for h in gen.history_)
    assert not np.array_equal(gen.sample(4, random_state=2)[0], plain.sample(4, random_state=2)[0])
    first = gen.model_.critic.features.net[0]
    assert first.out_channels == extra.get("critic_channels", 8 * extra.get("critic_width", 2))  # 2× above 16 px


def test_gan_rejects_an_unknown_loss():
    with pytest.raises(ValueError, match="loss"):
        make_generator("cgan", {"loss": "wasserstein"}, 0)


def test_aux_classifier_without_jitter_trains_on_clean_images(rgb20):
    import torch

    from synthaug.generators.image_nets import train_aux_classifier

    X, y = (torch.as_tensor(a) for a in rgb20)
    nets = []
    for scale in (1.0, 0.0):
        torch.manual_seed(0)
        nets.append(train_aux_classifier(X, y, 2, 5, 4, jitter_scale=scale))
    with torch.no_grad():
        assert not torch.equal(nets[0](X), nets[1](X))
