#!/usr/bin/python3
"""Writes the seed corpora of the fuzz targets: one folder per campaign under the given folder.

Checkpoints are real torch.save files (zip and legacy formats), so the fuzzers start from what
the readers meet in practice; safetensors, IDX, CIFAR and config files are written byte by byte
or by the standard library, images by Pillow. Needs Python with torch (Debian's python3-torch).

usage: make_corpus.py OUTPUT_DIR
"""
import collections
import gzip
import io
import json
import os
import pickle
import struct
import sys
import zipfile

import numpy as np
import torch
from PIL import Image


def write(folder, name, data):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def state_dicts():
    """Small state dicts covering the shapes the readers must handle."""
    torch.manual_seed(0)
    conv = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2), torch.nn.Linear(2, 3))
    base = torch.arange(12, dtype=torch.float32)
    yield "sequential", conv.state_dict()
    yield "dtypes", collections.OrderedDict(
        (str(dtype).split(".")[1], torch.ones(2, 3).to(dtype))
        for dtype in (torch.float64, torch.float32, torch.float16, torch.bfloat16, torch.int64,
                      torch.int32, torch.int16, torch.int8, torch.uint8, torch.bool))
    # Views sharing one storage, a transposed (non-contiguous) view and an offset slice.
    yield "shared_views", collections.OrderedDict(
        [("whole", base), ("matrix", base.view(3, 4)), ("transposed", base.view(3, 4).t()),
         ("slice", base[5:9]), ("scalar", torch.tensor(3.5)), ("empty", torch.zeros(0, 4))])
    yield "training_checkpoint", {"epoch": 3, "state_dict": conv.state_dict(), "best": 0.5,
                                  "optimizer": {"lr": 0.1, "momentum": [0.9, None, True]}}
    yield "data_parallel", collections.OrderedDict(("module." + k, v) for k, v in conv.state_dict().items())


def torch_saved(obj, zip_format):
    buffer = io.BytesIO()
    torch.save(obj, buffer, _use_new_zipfile_serialization=zip_format)
    return buffer.getvalue()


class Hostile:
    """Pickles to os.system('true'): the reader must refuse it by name, never run it."""

    def __reduce__(self):
        return (os.system, ("true",))


def write_checkpoints(out):
    for name, obj in state_dicts():
        zipped = torch_saved(obj, True)
        write(os.path.join(out, "zip_checkpoint"), name + ".pth", zipped)
        write(os.path.join(out, "zip_archive"), name + ".pth", zipped)
        write(os.path.join(out, "legacy_checkpoint"), name + ".pth", torch_saved(obj, False))
        with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
            data_pkl = next(n for n in archive.namelist() if n.endswith("data.pkl"))
            write(os.path.join(out, "pickle"), name + ".pkl", archive.read(data_pkl))
    write(os.path.join(out, "zip_checkpoint"), "hostile.pth", torch_saved({"w": Hostile()}, True))
    write(os.path.join(out, "legacy_checkpoint"), "hostile.pth", torch_saved({"w": Hostile()}, False))


def write_pickles(out):
    folder = os.path.join(out, "pickle")
    values = {
        "scalars": [None, True, False, 0, -1, 255, 65535, 2**31, -2**63, 2**64, -2**100, 1.5, float("inf")],
        "text": ["", "a", "ü" * 40, b"bytes", bytearray(b"ba"), "x" * 300],
        "containers": {"list": [1, [2, [3]]], "tuple": (1, (2,), ()), "dict": {1: {"a": None}}},
        "ordered": collections.OrderedDict([("b", 1), ("a", (2, 3))]),
    }
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        for name, value in values.items():
            write(folder, f"{name}_p{protocol}.pkl", pickle.dumps(value, protocol=protocol))
    shared = [1, 2]
    write(folder, "memo.pkl", pickle.dumps([shared, shared, {"k": shared}], protocol=2))
    write(folder, "hostile_reduce.pkl", pickle.dumps(Hostile(), protocol=2))


def write_archives(out):
    folder = os.path.join(out, "zip_archive")
    for name, method in (("stored", zipfile.ZIP_STORED), ("deflated", zipfile.ZIP_DEFLATED)):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=method) as archive:
            archive.writestr("a/data.pkl", b"\x80\x02}q\x00.")
            archive.writestr("a/data/0", bytes(range(256)) * 4)
            archive.writestr("a/empty", b"")
        write(folder, name + ".zip", buffer.getvalue())
    buffer = io.BytesIO()
    zipfile.ZipFile(buffer, "w").close()
    write(folder, "empty.zip", buffer.getvalue())


def safetensors_bytes(tensors, metadata=None, header_padding=0):
    header, blobs, offset = {}, [], 0
    for name, (dtype, array) in tensors.items():
        data = array.tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata is not None:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode() + b" " * header_padding
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def write_safetensors(out):
    folder = os.path.join(out, "safetensors")
    arange = np.arange(6)
    write(folder, "float.safetensors", safetensors_bytes(
        {"w": ("F32", arange.astype(np.float32).reshape(2, 3)), "b": ("F64", arange.astype(np.float64))},
        metadata={"format": "pt", "epoch": "3"}))
    dtypes = {"F16": np.float16, "I64": np.int64, "I32": np.int32, "I16": np.int16, "I8": np.int8,
              "U8": np.uint8, "BOOL": np.bool_}
    write(folder, "dtypes.safetensors", safetensors_bytes(
        {name: (name, arange.astype(numpy_type)) for name, numpy_type in dtypes.items()}))
    bf16 = (np.arange(4, dtype=np.float32).view(np.uint32) >> 16).astype(np.uint16)
    write(folder, "bf16.safetensors", safetensors_bytes({"x": ("BF16", bf16)}))
    write(folder, "scalar_and_empty.safetensors", safetensors_bytes(
        {"s": ("F32", np.array(1.0, dtype=np.float32)), "e": ("F32", np.zeros((0, 3), np.float32))},
        header_padding=5))
    write(folder, "empty.safetensors", safetensors_bytes({}))


def idx_input(images, labels, compress=False):
    """The idx fuzzer's layout: label-file length (2 bytes, little-endian), labels, images."""
    image_file = struct.pack(">IIII", 0x803, *images.shape) + images.tobytes()
    label_file = struct.pack(">II", 0x801, len(labels)) + labels.tobytes()
    if compress:
        image_file, label_file = gzip.compress(image_file), gzip.compress(label_file)
    return struct.pack("<H", len(label_file)) + label_file + image_file


def write_idx(out):
    folder = os.path.join(out, "idx")
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (3, 4, 5), dtype=np.uint8)
    labels = np.array([0, 9, 2], dtype=np.uint8)
    write(folder, "plain.idx", idx_input(images, labels))
    write(folder, "gzip.idx", idx_input(images, labels, compress=True))
    write(folder, "one.idx", idx_input(images[:1, :1, :1], labels[:1]))


def write_cifar(out):
    folder = os.path.join(out, "cifar")
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (2, 3072), dtype=np.uint8)
    cifar10 = b"".join(bytes([label]) + row.tobytes() for label, row in zip((3, 9), pixels))
    cifar100 = b"".join(bytes([coarse, fine]) + row.tobytes() for coarse, fine, row in zip((1, 19), (42, 99), pixels))
    write(folder, "cifar10.bin", b"\x00" + cifar10)
    write(folder, "cifar100.bin", b"\x01" + cifar100)


def write_configs(out):
    folder = os.path.join(out, "config")
    write(folder, "train.yaml", b"lr: 0.05\nstep_size: 0.2\nepochs: 3\ncut: layer3\n"
                                b"milestones: [1, 2]\ncorruptions:\n  - fog\n  - snow\namp: true\n")
    write(folder, "train.json", json.dumps(
        {"lr": 1e-3, "step-size": 0.5, "epochs": 10, "milestones": [3], "amp": False}).encode())
    write(folder, "anchors.yaml", b"base: &b 0.1\nlr: *b\n--- \n")
    write(folder, "nested.yaml", b"lr: {a: [1, {b: 2}]}\n? [x, y]\n: 3\n")
    write(folder, "forbidden.yaml", b"resume: run/ckpt.pt\nconfig: other.yaml\n")
    write(folder, "flow.yaml", b"{lr: 0.2, cut: \"layer1\", milestones: [], amp: 1}\n")


def write_images(out):
    folder = os.path.join(out, "image")
    rng = np.random.default_rng(0)
    rgb = Image.fromarray(rng.integers(0, 256, (8, 6, 3), dtype=np.uint8), "RGB")
    for name, image, fmt, options in (
            ("rgb.png", rgb, "PNG", {}),
            ("gray.png", rgb.convert("L"), "PNG", {}),
            ("rgba.png", rgb.convert("RGBA"), "PNG", {}),
            ("palette.png", rgb.convert("P"), "PNG", {}),
            ("interlaced.png", rgb, "PNG", {"interlace": 1}),
            ("baseline.jpg", rgb, "JPEG", {"quality": 80}),
            ("progressive.jpg", rgb, "JPEG", {"progressive": True}),
            ("gray.jpg", rgb.convert("L"), "JPEG", {}),
            ("rgb.bmp", rgb, "BMP", {}),
            ("rgb.ppm", rgb, "PPM", {}),
            ("gray.pgm", rgb.convert("L"), "PPM", {}),
            ("rgb.tiff", rgb, "TIFF", {}),
            ("rgb.webp", rgb, "WEBP", {"lossless": True})):
        buffer = io.BytesIO()
        image.save(buffer, fmt, **options)
        write(folder, name, buffer.getvalue())


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    write_pickles(out)
    write_checkpoints(out)
    write_archives(out)
    write_safetensors(out)
    write_idx(out)
    write_cifar(out)
    write_configs(out)
    write_images(out)


if __name__ == "__main__":
    main()
