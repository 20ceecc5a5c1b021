"""advbn.AdvBN: δ and losses equal the project's written PyTorch reference of the attack
(tests/fixtures/make_model_fixtures.py, the oracle of the C++ tests), in float64 so that no
gradient sign is decided by rounding; and the module's contract."""
import importlib.util
import pathlib

import pytest
import torch

import advbn

_FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "tests" / "fixtures"
_spec = importlib.util.spec_from_file_location("make_model_fixtures",
                                               _FIXTURES / "make_model_fixtures.py")
reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(reference)


def make_suffix():
    torch.manual_seed(0)
    suffix = torch.nn.Sequential(
        torch.nn.Conv2d(8, 16, 3, padding=1), torch.nn.BatchNorm2d(16), torch.nn.ReLU(),
        torch.nn.Conv2d(16, 16, 3, stride=2, padding=1), torch.nn.BatchNorm2d(16),
        torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(),
        torch.nn.Linear(16, 5)).double()
    reference.randomise_batch_norms(suffix)
    return suffix.eval()


@pytest.fixture()
def problem():
    suffix = make_suffix()
    torch.manual_seed(1)
    # Post-ReLU features: exact zeros make the clamp's gradient matter.
    features = torch.relu(torch.randn(6, 8, 10, 10, dtype=torch.float64) + 0.3)
    labels = torch.randint(0, 5, (6,))
    return suffix, features, labels


@pytest.mark.parametrize("eps,tau,steps", [(1.1, 0.2, 6), (0.5, 0.1, 9), (1.1, 0.2, 0)])
def test_delta_and_losses_equal_the_reference(problem, eps, tau, steps):
    suffix, features, labels = problem
    adv = advbn.AdvBN(eps=eps, tau=tau, steps=steps)
    out = adv(features, suffix, labels)
    delta_mu, delta_sigma, losses = reference.reference_attack(
        None, features, labels, suffix, eps, tau, steps)
    assert adv.delta_mu.shape == (8,) and adv.delta_sigma.shape == (8,)
    torch.testing.assert_close(adv.delta_mu, delta_mu, rtol=0, atol=1e-9)
    torch.testing.assert_close(adv.delta_sigma, delta_sigma, rtol=0, atol=1e-9)
    torch.testing.assert_close(torch.tensor(adv.losses, dtype=torch.float64), losses,
                               rtol=0, atol=1e-9)
    mean = features.mean(dim=(0, 2, 3), keepdim=True)
    expected = (delta_sigma.view(1, -1, 1, 1) * (features - mean)
                + delta_mu.view(1, -1, 1, 1) * mean).clamp(min=0)
    torch.testing.assert_close(out, expected, rtol=0, atol=1e-12)
    if steps > 0:
        assert not torch.equal(adv.delta_mu, torch.ones(8, dtype=torch.float64))
        assert adv.losses[-1] > adv.losses[0]


def test_callable_loss_equals_suffix_and_target(problem):
    suffix, features, labels = problem
    by_suffix = advbn.AdvBN()
    by_suffix(features, suffix, labels)
    by_callable = advbn.AdvBN()
    by_callable(features, lambda f: torch.nn.functional.cross_entropy(suffix(f), labels))
    assert torch.equal(by_suffix.delta_mu, by_callable.delta_mu)
    assert torch.equal(by_suffix.delta_sigma, by_callable.delta_sigma)


def test_no_parameter_gradients_and_detached_output_even_under_no_grad(problem):
    suffix, features, labels = problem
    with torch.no_grad():
        out = advbn.AdvBN()(features, suffix, labels)
    assert not out.requires_grad
    assert all(p.grad is None for p in suffix.parameters())


def test_zero_epsilon_is_the_identity(problem):
    suffix, features, labels = problem
    adv = advbn.AdvBN(eps=0.0)
    out = adv(features, suffix, labels)
    assert torch.equal(adv.delta_mu, torch.ones(8, dtype=torch.float64))
    torch.testing.assert_close(out, features, rtol=0, atol=1e-12)


def test_float32_stays_in_bounds(problem):
    suffix, features, labels = problem
    adv = advbn.AdvBN(eps=0.5, random_start=True)
    out = adv(features.float(), suffix.float(), labels)
    assert out.dtype == torch.float32 and out.shape == features.shape
    for delta in (adv.delta_mu, adv.delta_sigma):
        assert delta.min() >= 0.5 - 1e-6 and delta.max() <= 1.5 + 1e-6


def test_errors_reach_python(problem):
    suffix, features, labels = problem
    with pytest.raises(ValueError, match="steps"):
        advbn.AdvBN(steps=-1)(features, suffix, labels)
    with pytest.raises(ValueError, match="sideways"):
        advbn.AdvBN(kind="sideways")(features, suffix, labels)
    with pytest.raises(ValueError, match="N×C×H×W"):
        advbn.AdvBN()(features[0], lambda f: f.sum())
    with pytest.raises(TypeError, match="scalar torch.Tensor"):
        advbn.AdvBN()(features, lambda f: 1.0)

    class Stop(Exception):
        pass

    def failing(f):
        raise Stop("from the loss")

    with pytest.raises(Stop, match="from the loss"):
        advbn.AdvBN()(features, failing)
