#!/usr/bin/python3
"""The AdvBN training step (Algorithm 1) and the plain fine-tuning step in plain PyTorch.

This is the reference `advbn bench step` is compared with: the authors' algorithm written the way
their code does it, on torchvision's ResNet-50 with random weights and random data.

  prefix  conv1 … layer1 (conv2_3), frozen, eval mode, under no_grad
  attack  m PGD steps on (δμ, δσ) with torch.autograd.grad, suffix in eval mode on the twin BNs
  update  suffix on cat[f, f_adv] in train mode (clean half → main BNs, adv half → twin BNs),
          loss clean + γ·adv, SGD step

Each method runs in its own forked child, so its peak resident memory is measured alone: the child
resets the kernel's high-water mark (/proc/self/clear_refs) after building the model, the data and
the optimizer, and reports VmHWM minus the resident size at that point.

  /usr/bin/python3 bench/reference_step.py --resolution 64 --batch 32 --steps 6 --threads 2 \
      [--repeats 5] [--warmup 2] [--json OUT]
"""
import argparse
import contextlib
import json
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

EPSILON = 1.1  # ε: δ ∈ [1 − ε, 1 + ε]
STEP_SIZE = 0.2  # τ
GAMMA = 1.0  # weight of the adversarial loss


class DualBN(nn.Module):
    """A BatchNorm2d with an auxiliary twin for adversarial features (as in AdvProp)."""

    def __init__(self, bn):
        super().__init__()
        self.main = bn
        self.twin = nn.BatchNorm2d(bn.num_features, eps=bn.eps, momentum=bn.momentum)
        self.twin.load_state_dict(bn.state_dict())
        self.branch = "clean"

    def forward(self, x):
        if self.branch == "clean":
            return self.main(x)
        if self.branch == "adv":
            return self.twin(x)
        half = x.shape[0] // 2
        return torch.cat([self.main(x[:half]), self.twin(x[half:])])


def with_dual_bns(module):
    for name, child in module.named_children():
        if isinstance(child, nn.BatchNorm2d):
            setattr(module, name, DualBN(child))
        else:
            with_dual_bns(child)
    return module


def set_branch(module, branch):
    for m in module.modules():
        if isinstance(m, DualBN):
            m.branch = branch


def build(resolution, batch, seed):
    torch.manual_seed(seed)
    net = torchvision.models.resnet50()
    prefix = nn.Sequential(net.conv1, net.bn1, net.relu, net.maxpool, net.layer1)
    for p in prefix.parameters():
        p.requires_grad_(False)
    prefix.eval()
    suffix = with_dual_bns(
        nn.Sequential(net.layer2, net.layer3, net.layer4, net.avgpool, nn.Flatten(1), net.fc))
    optimizer = torch.optim.SGD(suffix.parameters(), lr=1e-3, momentum=0.9, weight_decay=1e-4)
    images = torch.randn(batch, 3, resolution, resolution)
    labels = torch.randint(0, 1000, (batch,))
    return prefix, suffix, optimizer, images, labels


PHASES = []  # (phase, seconds) of the running step, in the order they ended


@contextlib.contextmanager
def timed(phase):
    start = time.perf_counter()
    yield
    PHASES.append((phase, time.perf_counter() - start))


def feature_stats(f):
    var, mean = torch.var_mean(f, dim=(0, 2, 3), unbiased=True, keepdim=True)
    return mean, (var + 1e-5).sqrt()


def attack(suffix, f, labels, steps):
    suffix.eval()
    set_branch(suffix, "adv")
    with timed("feature statistics"):
        mean, std = feature_stats(f)
        shape = mean.shape
        d_mu = torch.ones(shape, requires_grad=True)
        d_sigma = torch.ones(shape, requires_grad=True)
    for step in range(steps):
        with timed(f"pgd pass {step + 1}"):
            f_adv = (d_sigma * (f - mean) + d_mu * mean).clamp_min(0)
            loss = F.cross_entropy(suffix(f_adv), labels)
            g_mu, g_sigma = torch.autograd.grad(loss, [d_mu, d_sigma])
            with torch.no_grad():
                d_mu = (d_mu + STEP_SIZE * g_mu.sign()).clamp(1 - EPSILON, 1 + EPSILON)
                d_sigma = (d_sigma + STEP_SIZE * g_sigma.sign()).clamp(1 - EPSILON, 1 + EPSILON)
            d_mu.requires_grad_(True)
            d_sigma.requires_grad_(True)
    with torch.no_grad(), timed("adversarial features"):
        return (d_sigma * (f - mean) + d_mu * mean).clamp_min(0)


def advbn_step(prefix, suffix, optimizer, images, labels, steps):
    with torch.no_grad(), timed("prefix"):
        f = prefix(images)
    f_adv = attack(suffix, f, labels, steps)
    with timed("clean + adversarial pass"):
        suffix.train()
        set_branch(suffix, "split")
        logits = suffix(torch.cat([f, f_adv]))
        n = labels.shape[0]
        loss = F.cross_entropy(logits[:n], labels) + GAMMA * F.cross_entropy(logits[n:], labels)
        optimizer.zero_grad()
        loss.backward()
    with timed("optimizer"):
        optimizer.step()
    return loss.item()


def standard_step(prefix, suffix, optimizer, images, labels, steps):
    with torch.no_grad(), timed("prefix"):
        f = prefix(images)
    with timed("clean pass"):
        suffix.train()
        set_branch(suffix, "clean")
        loss = F.cross_entropy(suffix(f), labels)
        optimizer.zero_grad()
        loss.backward()
    with timed("optimizer"):
        optimizer.step()
    return loss.item()


def proc_status_kb(key):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {key}")


def measure(step, args):
    """Runs in the child: median seconds per step and peak resident growth in MiB."""
    torch.set_num_threads(args.threads)
    model = build(args.resolution, args.batch, args.seed)
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")  # resets VmHWM to the current resident size
    baseline_kb = proc_status_kb("VmRSS")
    times, cpu_times, phases = [], [], {}
    for i in range(args.warmup + args.repeats):
        PHASES.clear()
        cpu_start, start = time.process_time(), time.perf_counter()
        step(*model, args.steps)
        if i >= args.warmup:
            times.append(time.perf_counter() - start)
            cpu_times.append(time.process_time() - cpu_start)
            for phase, seconds in PHASES:
                phases.setdefault(phase, []).append(seconds)
    peak_kb = proc_status_kb("VmHWM")
    return {"seconds": statistics.median(times), "cpu_seconds": statistics.median(cpu_times),
            "peak_mb": (peak_kb - baseline_kb) / 1024,
            "peak_total_mb": peak_kb / 1024,
            "phases": [{"phase": p, "seconds": statistics.median(s)} for p, s in phases.items()]}


def in_child(step, args):
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        code = 0
        try:
            payload = json.dumps(measure(step, args))
        except BaseException as error:  # reported by the parent
            payload, code = json.dumps({"error": repr(error)}), 1
        with os.fdopen(write_end, "w") as out:
            out.write(payload)
        os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        result = json.loads(pipe.read() or '{"error": "child died"}')
    os.waitpid(pid, 0)
    if "error" in result:
        sys.exit(f"reference_step.py: {step.__name__} failed: {result['error']}")
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolution", type=int, default=64)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=6, help="m: PGD steps")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    if args.batch < 2 or args.repeats < 1 or args.warmup < 0 or args.steps < 1:
        parser.error("need --batch >= 2, --repeats >= 1, --warmup >= 0, --steps >= 1")

    # Children are forked before this process runs any operator, so no thread pool is copied.
    standard = in_child(standard_step, args)
    advbn = in_child(advbn_step, args)
    result = {
        "implementation": f"pytorch {torch.__version__}",
        "arch": "resnet50", "cut": "layer1", "resolution": args.resolution, "batch": args.batch,
        "steps": args.steps, "threads": args.threads, "repeats": args.repeats,
        "warmup": args.warmup,
        "standard_s": standard["seconds"], "advbn_s": advbn["seconds"],
        "ratio": advbn["seconds"] / standard["seconds"],
        "standard_cpu_s": standard["cpu_seconds"], "advbn_cpu_s": advbn["cpu_seconds"],
        "standard_peak_mb": standard["peak_mb"], "advbn_peak_mb": advbn["peak_mb"],
        "peak_ratio": advbn["peak_mb"] / standard["peak_mb"],
        "standard_peak_total_mb": standard["peak_total_mb"],
        "advbn_peak_total_mb": advbn["peak_total_mb"],
        "standard_phases": standard["phases"], "advbn_phases": advbn["phases"],
    }
    print(f"pytorch reference  resnet50 {args.resolution}x{args.resolution} batch {args.batch} "
          f"m={args.steps} threads {args.threads}")
    for name in ("standard", "advbn"):
        print(f"  {name:9} {result[name + '_s']:8.3f} s/step (CPU {result[name + '_cpu_s']:7.3f} s)"
              f"  peak +{result[name + '_peak_mb']:7.1f} MiB")
    print(f"  ratio     {result['ratio']:8.2f} x                     {result['peak_ratio']:7.2f} x")
    for name in ("standard", "advbn"):
        print(f"  {name} step by phase (median s):")
        for phase in result[name + "_phases"]:
            print(f"    {phase['phase']:26} {phase['seconds']:8.3f}")
        print(f"    {'sum of phases':26} {sum(p['seconds'] for p in result[name + '_phases']):8.3f}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(result, out, indent=2)
            out.write("\n")


if __name__ == "__main__":
    main()
