"""advbn.load_weights: real torch.save files read into a dict of tensors; hostile pickles are
refused before anything runs."""
import collections
import os
import pickle
import shlex

import pytest
import torch

import advbn


def make_state_dict():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3))
    model.train()(torch.randn(5, 4))  # running statistics that are not the defaults
    return model.state_dict()


@pytest.mark.parametrize("zip_format", [True, False])
def test_reads_what_torch_saves(tmp_path, zip_format):
    state = make_state_dict()
    path = tmp_path / "weights.pth"
    torch.save(state, path, _use_new_zipfile_serialization=zip_format)
    loaded = advbn.load_weights(path)
    assert list(loaded) == list(state)
    for name, tensor in state.items():
        assert loaded[name].dtype == tensor.dtype, name
        assert torch.equal(loaded[name], tensor), name


def test_data_parallel_prefix_is_removed(tmp_path):
    state = make_state_dict()
    path = tmp_path / "dp.pth"
    torch.save(collections.OrderedDict(("module." + k, v) for k, v in state.items()), path)
    assert list(advbn.load_weights(str(path))) == list(state)


class RunsACommand:
    """Unpickles as a call to os.system."""

    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


def hostile_payload(marker):
    return {"weights": RunsACommand("touch " + shlex.quote(str(marker)))}


def test_the_hostile_payload_is_live(tmp_path):
    marker = tmp_path / "it-ran"
    pickle.loads(pickle.dumps(hostile_payload(marker), protocol=2))
    assert marker.exists()


@pytest.mark.parametrize("writer", ["torch_zip", "torch_legacy", "plain_pickle"])
def test_hostile_pickle_is_refused_and_never_runs(tmp_path, writer):
    marker = tmp_path / "it-ran"
    path = tmp_path / "hostile.pth"
    if writer == "plain_pickle":
        path.write_bytes(pickle.dumps(hostile_payload(marker), protocol=2))
    else:
        torch.save(hostile_payload(marker), path,
                   _use_new_zipfile_serialization=writer == "torch_zip")
    with pytest.raises(RuntimeError, match=r"refused to load global '(posix|os)\.system'"):
        advbn.load_weights(path)
    assert not marker.exists()


def test_eval_in_a_pickle_is_refused(tmp_path):
    class Evaluates:
        def __reduce__(self):
            return (eval, ("1 + 1",))

    path = tmp_path / "eval.pth"
    torch.save({"weights": Evaluates()}, path)
    refused = r"refused to load global '(builtins|__builtin__)\.eval'"  # protocol 2 spells it __builtin__
    with pytest.raises(RuntimeError, match=refused):
        advbn.load_weights(path)


def test_missing_and_foreign_files_name_the_path(tmp_path):
    with pytest.raises(RuntimeError, match="absent.pth"):
        advbn.load_weights(tmp_path / "absent.pth")
    text = tmp_path / "notes.pth"
    text.write_text("plain text, not a checkpoint\n" * 4)
    with pytest.raises(RuntimeError, match="notes.pth"):
        advbn.load_weights(text)
