"""Writes the weight-file fixtures of the io tests with real PyTorch.

Usage: make_io_fixtures.py FIXTURE_DIR  (files go to FIXTURE_DIR/io)

Every checkpoint comes with a reference the C++ tests can trust without our reader:
<stem>.json lists name, dtype, shape, byte offset and size of each tensor, in order, and
<stem>.bin holds the contiguous little-endian bytes of all tensors back to back.
"""
import collections
import json
import os
import random
import struct
import sys
import zipfile

import torch
import torchvision

OUT = os.path.join(sys.argv[1], "io")
os.makedirs(OUT, exist_ok=True)
# Hostile payloads would create this file if anything executed them.
MARKER = os.path.join(OUT, "payload_executed")
if os.path.exists(MARKER):
    os.remove(MARKER)


def path(name):
    return os.path.join(OUT, name)


def tensor_bytes(tensor):
    flat = tensor.detach().contiguous().reshape(-1)
    return flat.view(torch.uint8).numpy().tobytes() if flat.numel() else b""


def write_reference(tensors, stem):
    manifest, blob = [], bytearray()
    for name, tensor in tensors.items():
        data = tensor_bytes(tensor)
        manifest.append({"name": name, "dtype": str(tensor.dtype).replace("torch.", ""),
                         "shape": list(tensor.shape), "offset": len(blob), "nbytes": len(data)})
        blob += data
    with open(path(stem + ".json"), "w") as f:
        json.dump(manifest, f)
    with open(path(stem + ".bin"), "wb") as f:
        f.write(blob)


def rezip(source, target, compression=zipfile.ZIP_STORED, patch=None):
    """Copies a torch zip archive entry by entry with Python's zipfile (sizes in the local
    headers, no data descriptors), optionally patching entry contents."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", compression) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if patch:
                data = patch(info.filename, data)
            dst.writestr(info.filename, data)


def patch_entry_sizes(file, entry, compressed=None, size=None, local=True, central=True):
    """Overwrites the declared compressed and/or uncompressed size of one zip entry in its
    local and/or central header."""
    data = bytearray(open(file, "rb").read())
    name = entry.encode()
    # (signature, offset of the compressed size, offset of the name length, header size)
    headers = []
    if local:
        headers.append((b"PK\x03\x04", 18, 26, 30))
    if central:
        headers.append((b"PK\x01\x02", 20, 28, 46))
    for signature, sizes, name_length, header_size in headers:
        start = data.find(signature)
        while True:
            assert start >= 0, entry
            length = struct.unpack_from("<H", data, start + name_length)[0]
            if data[start + header_size:start + header_size + length] == name:
                break
            start = data.find(signature, start + 4)
        if compressed is not None:
            struct.pack_into("<I", data, start + sizes, compressed)
        if size is not None:
            struct.pack_into("<I", data, start + sizes + 4, size)
    open(file, "wb").write(data)


# --- torchvision resnet18 with random, seeded weights -------------------------------------
torch.manual_seed(0)
resnet = torchvision.models.resnet18().state_dict()
torch.save(resnet, path("resnet18_zip.pth"))
torch.save(resnet, path("resnet18_legacy.pth"), _use_new_zipfile_serialization=False)
write_reference(resnet, "resnet18")
# A training checkpoint of a DataParallel model, with the usual non-tensor companions.
wrapped = collections.OrderedDict(("module." + k, v) for k, v in resnet.items())
torch.save({"epoch": 7, "arch": "resnet18", "best_acc1": 0.5, "flags": [True, None, b"raw"],
            "state_dict": wrapped, "optimizer": {"state": {}, "param_groups": [{"lr": 0.1, "params": [0, 1]}]}},
           path("resnet18_nested.pth"))

# --- every dtype, views and shared storages -----------------------------------------------
generator = torch.Generator().manual_seed(1)
base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
dtypes = collections.OrderedDict()
dtypes["f32"] = torch.randn(3, 4, generator=generator)
dtypes["f64"] = torch.randn(2, 3, generator=generator, dtype=torch.float64)
dtypes["f16"] = torch.randn(5, generator=generator).half()
dtypes["bf16"] = torch.randn(2, 2, 2, generator=generator).bfloat16()
dtypes["i64"] = torch.tensor([0, -1, 2**40, -(2**62), 2**63 - 1], dtype=torch.int64)
dtypes["i32"] = torch.randint(-2**31, 2**31 - 1, (4,), generator=generator, dtype=torch.int32)
dtypes["i16"] = torch.randint(-2**15, 2**15 - 1, (3, 2), generator=generator, dtype=torch.int16)
dtypes["i8"] = torch.randint(-128, 127, (7,), generator=generator, dtype=torch.int8)
dtypes["u8"] = torch.randint(0, 255, (2, 5), generator=generator, dtype=torch.uint8)
dtypes["bool"] = torch.tensor([True, False, True, True])
dtypes["scalar"] = torch.tensor(3.5)
dtypes["empty"] = torch.zeros(0, 3)
dtypes["base"] = base
dtypes["transposed_slice"] = base.t()[1:, ::2]  # non-contiguous, offset into base's storage
dtypes["row"] = base[2]  # shares base's storage at an offset
torch.save(dtypes, path("dtypes_zip.pth"))
torch.save(dtypes, path("dtypes_legacy.pth"), _use_new_zipfile_serialization=False)
rezip(path("dtypes_zip.pth"), path("dtypes_deflated.pth"), zipfile.ZIP_DEFLATED)
write_reference(dtypes, "dtypes")


# --- safetensors written by an independent implementation of the format ---------------------
def write_safetensors(tensors, file, metadata):
    codes = {torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
             torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
             torch.uint8: "U8", torch.bool: "BOOL"}
    header, blob = {}, bytearray()
    if metadata:
        header["__metadata__"] = dict(sorted(metadata.items()))
    for name, tensor in tensors.items():
        data = tensor_bytes(tensor)
        header[name] = {"dtype": codes[tensor.dtype], "shape": list(tensor.shape),
                        "data_offsets": [len(blob), len(blob) + len(data)]}
        blob += data
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    text += b" " * (-len(text) % 8)
    with open(file, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + blob)


write_safetensors(dtypes, path("dtypes.safetensors"), {"format": "pt", "source": "make_io_fixtures"})
write_safetensors(collections.OrderedDict(("module." + k, v) for k, v in list(dtypes.items())[:3]),
                  path("data_parallel.safetensors"), {})

# --- hostile files ---------------------------------------------------------------------------
command = "touch " + MARKER


class EvalPayload:
    def __reduce__(self):
        import builtins
        return (builtins.eval, ("__import__('os').system(%r)" % command,))


class CustomClass:
    def __reduce__(self):
        return (CustomClass, ())


def hand_written_pickle(module, name, argument):
    arg = argument.encode()
    return (b"\x80\x02c" + module.encode() + b"\n" + name.encode() + b"\n" +
            b"X" + struct.pack("<I", len(arg)) + arg + b"\x85R.")


os_system = hand_written_pickle("os", "system", command)
with zipfile.ZipFile(path("evil_os_system.pth"), "w") as z:
    z.writestr("archive/data.pkl", os_system)
    z.writestr("archive/version", "3\n")
with open(path("evil_os_system.pkl"), "wb") as f:
    f.write(os_system)
torch.save({"weight": torch.zeros(2), "payload": EvalPayload()}, path("evil_eval.pth"))
torch.save({"weight": torch.zeros(2), "payload": EvalPayload()}, path("evil_eval_legacy.pth"),
           _use_new_zipfile_serialization=False)
torch.save({"weight": torch.zeros(2), "payload": CustomClass()}, path("evil_custom_class.pth"))

for stem in ("dtypes_zip", "dtypes_legacy"):
    whole = open(path(stem + ".pth"), "rb").read()
    open(path("truncated_" + stem + ".pth"), "wb").write(whole[: len(whole) * 3 // 4])
open(path("random.bin"), "wb").write(b"\x00" + random.Random(0).randbytes(4095))
open(path("huge_header.safetensors"), "wb").write(struct.pack("<Q", 1 << 62) + b'{"a":1}')

small = collections.OrderedDict(weight=torch.arange(10, dtype=torch.float32))
torch.save(small, path("small_zip.pth"))
rezip(path("small_zip.pth"), path("zip_local_huge_size.pth"))
patch_entry_sizes(path("zip_local_huge_size.pth"), "small_zip/data/0", 0x7FFFFFF0, 0x7FFFFFF0, central=False)
rezip(path("small_zip.pth"), path("zip_entry_out_of_bounds.pth"))
patch_entry_sizes(path("zip_entry_out_of_bounds.pth"), "small_zip/data/0", 0x7FFFFFF0, 0x7FFFFFF0)
# A few dozen compressed bytes that claim to inflate to 4 GiB.
rezip(path("small_zip.pth"), path("zip_bomb.pth"), zipfile.ZIP_DEFLATED)
patch_entry_sizes(path("zip_bomb.pth"), "small_zip/data/0", size=0xFFFFFFF0)


def enlarge_tensor(name, data):
    # size (10,) becomes (100,): the storage of 10 elements is too small for the tensor.
    if name.endswith("data.pkl"):
        assert data.count(b"K\x0a\x85") == 1
        return data.replace(b"K\x0a\x85", b"K\x64\x85")
    return data


rezip(path("small_zip.pth"), path("storage_too_small.pth"), patch=enlarge_tensor)
