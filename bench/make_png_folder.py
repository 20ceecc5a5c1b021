#!/usr/bin/python3
"""Four 224×224 colour PNGs in two class folders for `advbn corrupt` timings, from the Fashion-MNIST
test images Debian ships (each channel a different item, upscaled 8× by pixel repetition).
Standard library only.

  bench/make_png_folder.py OUT_DIR
"""
import gzip
import os
import struct
import sys
import zlib

IMAGES = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
SIDE, SCALE = 28, 8


def png_bytes(width, height, rgb_rows):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\0" + row for row in rgb_rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def main():
    out = sys.argv[1]
    data = gzip.open(IMAGES).read()[16:]
    item = lambda k: data[k * SIDE * SIDE:(k + 1) * SIDE * SIDE]
    for n in range(4):
        channels = [item(3 * n + c) for c in range(3)]
        rows = []
        for y in range(SIDE * SCALE):
            row = bytearray()
            for x in range(SIDE * SCALE):
                i = (y // SCALE) * SIDE + x // SCALE
                row += bytes((channels[0][i], channels[1][i], channels[2][i]))
            rows.append(bytes(row))
        folder = os.path.join(out, "ab"[n // 2])
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, f"img{n}.png"), "wb") as f:
            f.write(png_bytes(SIDE * SCALE, SIDE * SCALE, rows))


if __name__ == "__main__":
    main()
