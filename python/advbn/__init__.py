"""advbn for Python: ImageNet-C corruptions and Instagram-style filters on NumPy images, the AdvBN
attack on feature statistics as a torch.nn.Module, and a weight reader that never executes code.

Everything runs in the C++ library; see docs/python.md.
"""
import torch  # loads the LibTorch that the native module's tensors belong to

from . import _advbn

__all__ = ["AdvBN", "corrupt", "corruption_names", "demo_scene", "filter", "filter_names",
           "load_weights"]

# imagecorruptions' subsets; "validation" is its name for our held-out corruptions.
_SUBSETS = {
    "common": _advbn._common_corruptions,
    "held_out": _advbn._held_out_corruptions,
    "validation": _advbn._held_out_corruptions,
    "all": lambda: _advbn._common_corruptions() + _advbn._held_out_corruptions(),
}


def corruption_names(subset="common"):
    """Names of the corruptions: "common" (the 15 of ImageNet-C, in its order), "held_out" (alias
    "validation": speckle_noise, gaussian_blur, spatter, saturate) or "all" (both, in that order,
    which is imagecorruptions' numbering)."""
    if subset not in _SUBSETS:
        raise ValueError(f"unknown subset {subset!r}; valid subsets: {', '.join(_SUBSETS)}")
    return _SUBSETS[subset]()


def filter_names():
    """Every name filter() accepts, in alphabetical order."""
    return _advbn._filter_names()


def corrupt(image, name=None, severity=1, seed=0, *, preset="auto", corruption_name=None,
            corruption_number=-1):
    """Returns `image` with one ImageNet-C corruption at `severity` (1..5).

    image: NumPy uint8 array, H×W, H×W×1 or H×W×3 (RGB), at least 8×8; the result has its shape.
    seed: every random draw of the corruption comes from it, so equal seeds give equal images and
      the five severities of one image share their noise (as `advbn corrupt --seed` does).
    preset: "auto" (CIFAR-10-C tables up to 64 px, else ImageNet-C), "imagenet" or "cifar".
    corruption_name, corruption_number: imagecorruptions' keywords; the number indexes
      corruption_names("all").

    imagecorruptions takes severity as its second positional argument; here the second is the name,
    so code written for it must pass its arguments by keyword, as its own examples do.
    """
    if corruption_name is not None:
        if name is not None and name != corruption_name:
            raise TypeError("give the corruption as name or as corruption_name, not both")
        name = corruption_name
    if name is None:
        if corruption_number == -1:
            raise TypeError("corrupt() needs a corruption: name (or corruption_name, "
                            "or corruption_number)")
        names = corruption_names("all")
        if not 0 <= corruption_number < len(names):
            raise ValueError(f"corruption_number must be in 0..{len(names) - 1}, "
                             f"got {corruption_number}")
        name = names[corruption_number]
    if not isinstance(name, str):
        raise TypeError(f"the corruption name must be a string, got {name!r} (imagecorruptions' "
                        "positional order differs: pass severity=... by keyword)")
    return _advbn._corrupt(image, name, severity, seed, preset)


# Shadows the builtin only inside this package; named after `advbn filter`.
def filter(image, name):
    """Returns `image` with one Instagram-style filter (see filter_names()); image as in corrupt()."""
    return _advbn._filter(image, name)


def demo_scene(height=224, width=None):
    """The library's built-in synthetic RGB test scene (the image `advbn_bench_corrupt` times)."""
    return _advbn._demo_scene(height, height if width is None else width)


def load_weights(path):
    """Reads a PyTorch checkpoint (zip or legacy, nested training checkpoints unwrapped) or a
    safetensors file into a dict of name -> tensor, in file order, with any leading "module."
    removed. The pickle inside a checkpoint is read by a restricted unpickler that rebuilds only
    tensors and containers: any other global (os.system, a class's __reduce__) raises
    RuntimeError and nothing is executed."""
    return _advbn._load_weights(str(path))


class AdvBN(torch.nn.Module):
    """Adversarial Batch Normalization: PGD on multiplicative factors of the per-channel mean and
    std of N×C×H×W features, maximising a loss of the rest of the network (paper eq. 3).

    Call it as `adv(features, loss_fn)` with `loss_fn(perturbed) -> scalar tensor`, or as
    `adv(features, suffix, target)` for the cross-entropy of `suffix(perturbed)` against
    `target`. It returns the perturbed features (detached) and keeps the last attack's result as
    `delta_mu`, `delta_sigma` ([C]) and `losses` (the loss at the start and after every step).
    Gradients are taken with respect to δ only: no parameter's `.grad` changes. As in the authors'
    code, put the suffix in eval mode for the attack.

    eps, tau, steps: ε (bound), τ (sign-step size) and m (steps); the paper's 1.1, 0.2, 6.
    kind: "multiplicative" (δ ∈ [1−ε, 1+ε]) or "additive" (offsets up to ε times the largest
      channel statistic).
    relu_clamp: clamp perturbed features at 0, for cuts after a ReLU.
    random_start: start δ uniformly inside the bound (torch's generator) instead of at identity.
    """

    def __init__(self, eps=1.1, tau=0.2, steps=6, kind="multiplicative", relu_clamp=True,
                 random_start=False):
        super().__init__()
        self.eps, self.tau, self.steps, self.kind = eps, tau, steps, kind
        self.relu_clamp, self.random_start = relu_clamp, random_start
        self.delta_mu = self.delta_sigma = None
        self.losses = []

    def forward(self, features, loss, target=None):
        if target is not None:
            suffix = loss

            def loss(perturbed):
                return torch.nn.functional.cross_entropy(suffix(perturbed), target)
        # The attack differentiates the loss with respect to δ, also when called under no_grad.
        with torch.enable_grad():
            perturbed, self.delta_mu, self.delta_sigma, self.losses = _advbn._attack(
                features, loss, self.eps, self.tau, self.steps, self.kind, self.relu_clamp,
                self.random_start)
        return perturbed

    def extra_repr(self):
        return (f"eps={self.eps}, tau={self.tau}, steps={self.steps}, kind={self.kind!r}, "
                f"relu_clamp={self.relu_clamp}, random_start={self.random_start}")
