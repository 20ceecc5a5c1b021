#!/usr/bin/python3
"""A/B of candidate speed-ups of the training step, in CPU seconds on one thread.

Uses bench/reference_step.py's step (the same ATen and oneDNN kernels as LibTorch), so each idea is
measured before it goes into the library, and CPU time on one thread varies little on a shared
machine. Results and decisions: docs/performance.md.

  /usr/bin/python3 bench/step_variants.py RESOLUTION BATCH fc|cl|clin|clmix|two|prefix
"""
import sys, time, statistics, copy, torch
sys.path.insert(0, __import__('os').path.dirname(__file__))
import reference_step as r
import torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(1)
R, B = int(sys.argv[1]), int(sys.argv[2]); what = sys.argv[3]
prefix, suffix, opt, x, y = r.build(R, B, 0)
def cpu(fn, n=4):
    fn(); ts = []
    for _ in range(n):
        s = time.process_time(); fn(); ts.append(time.process_time() - s)
    return statistics.median(ts)
class ConvFC(nn.Module):
    def __init__(self, fc): super().__init__(); self.fc = fc
    def forward(self, x):
        w = self.fc.weight
        return F.conv2d(x.view(x.shape[0], -1, 1, 1), w.view(w.shape[0], w.shape[1], 1, 1), self.fc.bias).flatten(1)
std = lambda: r.standard_step(prefix, suffix, opt, x, y, 6)
adv = lambda: r.advbn_step(prefix, suffix, opt, x, y, 6)
if what == 'fc':
    a = (cpu(std), cpu(adv))
    suffix[5] = ConvFC(suffix[5])
    opt = torch.optim.SGD(suffix.parameters(), lr=1e-3, momentum=0.9, weight_decay=1e-4)
    b = (cpu(std), cpu(adv))
    print('fc linear std %.3f adv %.3f | conv1x1 std %.3f adv %.3f' % (a + b))
if what == 'cl':
    a = (cpu(std), cpu(adv))
    prefix.to(memory_format=torch.channels_last); suffix.to(memory_format=torch.channels_last)
    x = x.contiguous(memory_format=torch.channels_last)
    b = (cpu(std), cpu(adv))
    print('nchw std %.3f adv %.3f | channels-last std %.3f adv %.3f' % (a + b))
if what == 'two':
    def two():
        with torch.no_grad(): f = prefix(x)
        f_adv = r.attack(suffix, f, y, 6)
        suffix.train(); opt.zero_grad()
        r.set_branch(suffix, 'clean'); F.cross_entropy(suffix(f), y).backward()
        r.set_branch(suffix, 'adv'); F.cross_entropy(suffix(f_adv), y).backward()
        opt.step()
    print('joint adv %.3f | two passes %.3f | joint %.3f | two %.3f' % (cpu(adv), cpu(two), cpu(adv), cpu(two)))
if what == 'prefix':
    from torch.nn.utils.fusion import fuse_conv_bn_eval
    def fold_block(b):
        b = copy.deepcopy(b)
        b.conv1 = fuse_conv_bn_eval(b.conv1, b.bn1); b.bn1 = nn.Identity()
        b.conv2 = fuse_conv_bn_eval(b.conv2, b.bn2); b.bn2 = nn.Identity()
        b.conv3 = fuse_conv_bn_eval(b.conv3, b.bn3); b.bn3 = nn.Identity()
        if b.downsample is not None: b.downsample = fuse_conv_bn_eval(b.downsample[0], b.downsample[1])
        return b
    folded = nn.Sequential(fuse_conv_bn_eval(prefix[0], prefix[1]), prefix[2], prefix[3],
                           nn.Sequential(*[fold_block(b) for b in prefix[4]]))
    def run(m):
        def fn():
            with torch.no_grad(): m(x)
        return fn
    with torch.no_grad(): print('max diff', (prefix(x) - folded(x)).abs().max().item())
    print('prefix %.3f folded %.3f prefix %.3f folded %.3f | std step %.3f' % (cpu(run(prefix)), cpu(run(folded)), cpu(run(prefix)), cpu(run(folded)), cpu(std)))
if what == 'clmix':
    cl = lambda t: t.contiguous(memory_format=torch.channels_last)
    def std_cl():
        with torch.no_grad(): f = prefix(x)
        suffix.train(); r.set_branch(suffix, 'clean')
        loss = F.cross_entropy(suffix(cl(f)), y); opt.zero_grad(); loss.backward(); opt.step()
    def two(conv):
        def fn():
            with torch.no_grad(): f = prefix(x)
            f_adv = r.attack(suffix, f, y, 6)
            suffix.train(); opt.zero_grad()
            r.set_branch(suffix, 'clean'); F.cross_entropy(suffix(conv(f)), y).backward()
            r.set_branch(suffix, 'adv'); F.cross_entropy(suffix(conv(f_adv)), y).backward()
            opt.step()
        return fn
    ident = lambda t: t
    print('std %.3f std-cl-input %.3f | two %.3f two-cl-input %.3f' % (cpu(std), cpu(std_cl), cpu(two(ident)), cpu(two(cl))))
    print('std %.3f std-cl-input %.3f | two %.3f two-cl-input %.3f' % (cpu(std), cpu(std_cl), cpu(two(ident)), cpu(two(cl))))
if what == 'clin':
    a = (cpu(std), cpu(adv))
    x = x.contiguous(memory_format=torch.channels_last)
    b = (cpu(std), cpu(adv))
    print('nchw std %.3f adv %.3f | channels-last input only std %.3f adv %.3f' % (a + b))
