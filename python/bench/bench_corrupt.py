"""Times advbn.corrupt from Python: every common corruption at every severity on one image, as
bench/shift_bench.cpp (advbn_bench_corrupt) does natively, so the two figures differ only by the
cost of the binding (NumPy ↔ cv::Mat, RGB ↔ BGR, the call itself).

    PYTHONPATH=build/python /usr/bin/python3 python/bench/bench_corrupt.py [--size 224] [--repeats 9]

Pin it to one core (taskset -c N) to compare with advbn_bench_corrupt, which runs one thread.
"""
import argparse
import statistics
import time

import advbn


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=224, help="side of the square demo scene")
    parser.add_argument("--repeats", type=int, default=9,
                        help="passes over all variants; each variant's median is used")
    args = parser.parse_args()

    image = advbn.demo_scene(args.size)
    names = advbn.corruption_names("common")
    times = {(name, s): [] for name in names for s in range(1, 6)}
    for r in range(args.repeats):
        for name, s in times:
            start = time.perf_counter()
            advbn.corrupt(image, name, s, seed=1234 + r)
            times[name, s].append(time.perf_counter() - start)

    print(f"advbn.corrupt on a {args.size}x{args.size} RGB image, median of {args.repeats} repeats")
    total = 0.0
    for name in names:
        per_image = [statistics.median(times[name, s]) for s in range(1, 6)]
        total += sum(per_image)
        print(f"  {name:18s} {1000 * sum(per_image) / 5:8.2f} ms/image"
              f"  {5 / sum(per_image):8.1f} images/s")
    print(f"all {len(times)} corruption x severity variants: {1000 * total:.1f} ms")


if __name__ == "__main__":
    main()
