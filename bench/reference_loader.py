#!/usr/bin/python3
"""torchvision's training data pipeline on an image folder, the reference of `advbn bench data`.

ImageFolder + RandomResizedCrop + RandomHorizontalFlip + ToTensor + Normalize (ImageNet's), a
DataLoader with shuffling and as many worker processes as advbn has loader threads, one epoch of
warm-up and then timed epochs: images per second.

  /usr/bin/python3 bench/reference_loader.py --data DIR [--workers 2] [--batch 64]
      [--image-size 224] [--epochs 2] [--json OUT]
"""
import argparse
import json
import time

import torch
import torchvision
from torchvision import transforms


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--image-size", type=int, default=224)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--json")
    args = parser.parse_args()
    torch.set_num_threads(1)
    pipeline = transforms.Compose([
        transforms.RandomResizedCrop(args.image_size),
        transforms.RandomHorizontalFlip(),
        transforms.ToTensor(),
        transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
    ])
    dataset = torchvision.datasets.ImageFolder(args.data, pipeline)
    loader = torch.utils.data.DataLoader(dataset, batch_size=args.batch, shuffle=True, drop_last=True,
                                         num_workers=args.workers, persistent_workers=args.workers > 0)
    seconds, images = 0.0, 0
    for epoch in range(args.epochs):
        start = time.perf_counter()
        count = sum(labels.shape[0] for _, labels in loader)
        if epoch == 0 and args.epochs > 1:
            continue  # warm-up: worker start, page cache
        seconds += time.perf_counter() - start
        images += count
    report = {"implementation": "torchvision %s, torch %s" % (torchvision.__version__, torch.__version__),
              "data": args.data, "images": images, "seconds": seconds, "images_per_second": images / seconds,
              "workers": args.workers, "batch": args.batch, "image_size": args.image_size}
    print("torchvision loader  %d images in %.2f s: %.1f images/s (%d workers, batch %d, %d px)"
          % (images, seconds, images / seconds, args.workers, args.batch, args.image_size))
    if args.json:
        with open(args.json, "w") as out:
            json.dump(report, out, indent=2)


if __name__ == "__main__":
    main()
