"""Checks with real PyTorch a checkpoint written by advbn.

Usage: check_torch_load.py WRITTEN REFERENCE [--resnet18]

torch.load(WRITTEN, weights_only=True) must give a collections.OrderedDict with the keys,
dtypes, shapes and values of the checkpoint REFERENCE; with --resnet18 it must also load into
torchvision's resnet18 with strict=True. Exits non-zero on any difference.
"""
import collections
import sys

import torch
import torchvision

written = torch.load(sys.argv[1], weights_only=True)
reference = torch.load(sys.argv[2])
assert type(written) is collections.OrderedDict, type(written)
assert list(written) == list(reference), "keys or their order differ"
for name, expected in reference.items():
    actual = written[name]
    assert actual.dtype == expected.dtype, (name, actual.dtype, expected.dtype)
    assert actual.shape == expected.shape, (name, actual.shape, expected.shape)
    assert torch.equal(actual, expected), name
if "--resnet18" in sys.argv[3:]:
    torchvision.models.resnet18().load_state_dict(written, strict=True)
