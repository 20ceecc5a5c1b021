"""advbn.corrupt and advbn.filter: equal to the advbn tool's output for the same image and seed,
imagecorruptions' keywords, shapes, determinism and errors."""
import os
import subprocess

import numpy as np
import pytest

import advbn

TOOL = os.environ.get("ADVBN_TOOL", "build/advbn")


def write_pnm(path, image):
    """Binary PPM (H×W×3, RGB) or PGM (H×W): lossless, and read by the tool through OpenCV."""
    magic = b"P6" if image.ndim == 3 else b"P5"
    with open(path, "wb") as f:
        f.write(b"%s\n%d %d\n255\n" % (magic, image.shape[1], image.shape[0]))
        f.write(np.ascontiguousarray(image).tobytes())


def read_pnm(path):
    with open(path, "rb") as f:
        data = f.read()
    fields, pos = [], 0
    while len(fields) < 4:  # magic, width, height, maxval; '#' starts a comment line
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    magic, width, height = fields[0], int(fields[1]), int(fields[2])
    assert fields[3] == b"255", fields[3]
    pixels = np.frombuffer(data[pos + 1:], dtype=np.uint8)
    shape = (height, width, 3) if magic == b"P6" else (height, width)
    return pixels[:np.prod(shape)].reshape(shape)


def run_tool(*args):
    result = subprocess.run([TOOL, *map(str, args)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def rgb():
    return advbn.demo_scene(72, 80)


@pytest.fixture(scope="module")
def gray(rgb):
    return rgb[8:48, 4:40].mean(axis=2).astype(np.uint8)


# Every corruption once on a colour image (ImageNet tables at 72×80) with the severities spread
# over 1..5, and a few on a grayscale one (CIFAR tables at 40×36), with several seeds.
CLI_CASES = (
    [("rgb", name, 1 + i % 5, 7 + i) for i, name in enumerate(advbn.corruption_names("all"))]
    + [("gray", name, s, 3) for name, s in
       (("gaussian_noise", 5), ("glass_blur", 2), ("snow", 4), ("frost", 3), ("saturate", 1),
        ("jpeg_compression", 5))]
)


@pytest.mark.parametrize("which,name,severity,seed", CLI_CASES)
def test_corrupt_equals_the_tool(tmp_path, rgb, gray, which, name, severity, seed):
    image = rgb if which == "rgb" else gray
    suffix = ".ppm" if image.ndim == 3 else ".pgm"
    write_pnm(tmp_path / ("in" + suffix), image)
    run_tool("corrupt", "--in", tmp_path / ("in" + suffix), "--out", tmp_path / ("out" + suffix),
             "--corruption", name, "--severity", severity, "--seed", seed)
    expected = read_pnm(tmp_path / ("out" + suffix))
    out = advbn.corrupt(image, name, severity, seed)
    assert out.shape == image.shape and out.dtype == np.uint8
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("name", ["1977", "clarendon", "inkwell", "lofi", "mayfair", "xpro2"])
def test_filter_equals_the_tool(tmp_path, rgb, name):
    write_pnm(tmp_path / "in.ppm", rgb)
    run_tool("filter", "--in", tmp_path / "in.ppm", "--out", tmp_path / "out.ppm",
             "--filter", name)
    np.testing.assert_array_equal(advbn.filter(rgb, name), read_pnm(tmp_path / "out.ppm"))


def test_filter_names_are_complete():
    names = advbn.filter_names()
    assert len(names) == 27 and names == sorted(names)


def test_imagecorruptions_keywords_select_the_same_corruption(rgb):
    names = advbn.corruption_names("all")
    assert len(names) == 19 and names[:15] == advbn.corruption_names("common")
    assert names[15:] == advbn.corruption_names("validation")
    expected = advbn.corrupt(rgb, "zoom_blur", 2, seed=5)
    np.testing.assert_array_equal(
        advbn.corrupt(rgb, corruption_name="zoom_blur", severity=2, seed=5), expected)
    np.testing.assert_array_equal(
        advbn.corrupt(rgb, corruption_number=names.index("zoom_blur"), severity=2, seed=5),
        expected)


def test_same_seed_same_image_other_seed_other_noise(rgb):
    a = advbn.corrupt(rgb, "shot_noise", 3, seed=1)
    np.testing.assert_array_equal(a, advbn.corrupt(rgb, "shot_noise", 3, seed=1))
    assert not np.array_equal(a, advbn.corrupt(rgb, "shot_noise", 3, seed=2))
    assert not np.array_equal(a, rgb)


def test_shapes_and_memory_layouts(rgb, gray):
    single = gray[:, :, None]
    out = advbn.corrupt(single, "contrast", 4)
    assert out.shape == single.shape
    np.testing.assert_array_equal(out[:, :, 0], advbn.corrupt(gray, "contrast", 4))
    flipped = rgb[:, ::-1]
    np.testing.assert_array_equal(advbn.corrupt(flipped, "fog", 2),
                                  advbn.corrupt(np.ascontiguousarray(flipped), "fog", 2))
    assert advbn.filter(gray, "moon").shape == gray.shape


def test_input_is_left_unchanged(rgb):
    before = rgb.copy()
    advbn.corrupt(rgb, "elastic_transform", 5)
    advbn.filter(rgb, "toaster")
    np.testing.assert_array_equal(rgb, before)


def test_bad_arguments_raise(rgb):
    with pytest.raises(ValueError, match="blurry"):
        advbn.corrupt(rgb, "blurry", 1)
    with pytest.raises(ValueError, match="severity"):
        advbn.corrupt(rgb, "fog", 6)
    with pytest.raises(ValueError, match="preset"):
        advbn.corrupt(rgb, "fog", 1, preset="tiny")
    with pytest.raises(ValueError, match="sepia"):
        advbn.filter(rgb, "sepia")
    with pytest.raises(TypeError, match="uint8"):
        advbn.corrupt(rgb.astype(np.float32) / 255, "fog", 1)
    with pytest.raises(ValueError, match=r"\(72, 80, 4\)"):
        advbn.corrupt(np.zeros((72, 80, 4), np.uint8), "fog", 1)
    with pytest.raises(TypeError, match="keyword"):
        advbn.corrupt(rgb, 3, "fog")  # imagecorruptions' positional order
    with pytest.raises(ValueError, match="corruption_number"):
        advbn.corrupt(rgb, corruption_number=19)
