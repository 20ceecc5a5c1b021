#!/usr/bin/python3
"""Writes an image folder of JPEGs shaped like ImageNet's for the loader benchmark.

Photographs cannot be downloaded here, so the images are made: smooth random colour fields with
edges and fine noise, at ImageNet's typical sizes (shorter side 333–500 px, aspect 4:3 or 3:4),
saved at JPEG quality 90. Their decode cost is what matters, and it depends on size and detail.

  /usr/bin/python3 bench/make_jpeg_folder.py OUT_DIR [--images 512] [--classes 4] [--seed 0]
"""
import argparse
import os

import numpy as np
from PIL import Image


def make_image(rng, height, width):
    # Low-frequency colour field upsampled, plus blocky edges and pixel noise.
    coarse = rng.uniform(0, 255, size=(height // 32 + 2, width // 32 + 2, 3)).astype(np.uint8)
    field = np.asarray(Image.fromarray(coarse).resize((width, height), Image.BICUBIC), dtype=np.float32)
    blocks = rng.uniform(-40, 40, size=(height // 8 + 1, width // 8 + 1, 1)).repeat(8, 0).repeat(8, 1)
    noise = rng.normal(0, 12, size=(height, width, 3))
    pixels = field + blocks[:height, :width] + noise
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--images", type=int, default=512)
    parser.add_argument("--classes", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    for i in range(args.images):
        folder = os.path.join(args.out, "class%02d" % (i % args.classes))
        os.makedirs(folder, exist_ok=True)
        short = int(rng.integers(333, 501))
        long = short * 4 // 3
        height, width = (short, long) if rng.random() < 0.75 else (long, short)
        make_image(rng, height, width).save(os.path.join(folder, "%05d.jpg" % i), quality=90)


if __name__ == "__main__":
    main()
