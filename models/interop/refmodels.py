#!/usr/bin/python3
# Copied from shared/peers/refmodels.py (mma4j project: PyTorch reference definitions of the
# CIFAR models with bearpaw/pytorch-classification key names), unchanged below this comment, so
# that make_fixtures.py runs from a clean clone. Keep the two copies equal.
"""Reference PyTorch definitions of the CIFAR models, named exactly as in
bearpaw/pytorch-classification (models/cifar/*.py), so that state_dict keys
match checkpoints produced by that repository.

Usage:
    /usr/bin/python3 checks/refmodels.py [--out DIR]

Writes DIR/param_counts.json (exact parameter counts for 10 and 100 classes)
and DIR/keys/<model>.txt (state_dict keys with shapes, 100-class models;
the 10-class files differ only in the classifier/fc rows). DIR defaults to the
folder holding this script.

Models (name -> constructor):
    vgg16_bn, vgg19_bn              features.N.*, classifier.*  (conv bias=True)
    resnet20, resnet56, resnet110   conv1, bn1, layerK.B.{conv1,bn1,conv2,bn2,
                                    downsample.0,downsample.1}, fc
                                    (BasicBlock, projection shortcut = bearpaw)
    wrn16_8, wrn28_10               conv1, blockK.layer.N.{bn1,conv1,bn2,conv2,
                                    convShortcut}, bn1, fc
    densenet40_12                   conv1, denseK.N.{bn1,conv1}, transK.{bn1,conv1},
                                    bn, fc  (BasicBlock, growth 12, compression 1)
Extras (not bearpaw defaults, provided for the issue's variants):
    resnet20_a, resnet56_a, resnet110_a   option-A (zero-pad, parameter-free) shortcut
    densenet_bc100_12                     Bottleneck blocks, compression 2

Every constructor accepts init='bearpaw' (default: the re-initialisation that
bearpaw's constructors run) or init='torch' (PyTorch's per-module defaults).
Only nn modules are used; runs on PyTorch 1.13 CPU.
"""
import argparse
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

# --------------------------------------------------------------------- VGG
VGG_CFG = {
    'vgg16_bn': [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M',
                 512, 512, 512, 'M', 512, 512, 512, 'M'],
    'vgg19_bn': [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M',
                 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'],
}


class VGG(nn.Module):
    """bearpaw vgg.py: features -> flatten -> classifier = Linear(512, classes)."""

    def __init__(self, features, num_classes=1000, init='bearpaw'):
        super().__init__()
        self.features = features
        self.classifier = nn.Linear(512, num_classes)
        if init == 'bearpaw':
            self._initialize_weights()

    def forward(self, x):
        x = self.features(x)
        x = x.view(x.size(0), -1)
        return self.classifier(x)

    def _initialize_weights(self):
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                n = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
                m.weight.data.normal_(0, math.sqrt(2. / n))
                if m.bias is not None:
                    m.bias.data.zero_()
            elif isinstance(m, nn.BatchNorm2d):
                m.weight.data.fill_(1)
                m.bias.data.zero_()
            elif isinstance(m, nn.Linear):
                m.weight.data.normal_(0, 0.01)
                m.bias.data.zero_()


def make_vgg_layers(cfg, batch_norm=True):
    layers, in_channels = [], 3
    for v in cfg:
        if v == 'M':
            layers += [nn.MaxPool2d(kernel_size=2, stride=2)]
        else:
            conv2d = nn.Conv2d(in_channels, v, kernel_size=3, padding=1)  # bias=True
            if batch_norm:
                layers += [conv2d, nn.BatchNorm2d(v), nn.ReLU(inplace=True)]
            else:
                layers += [conv2d, nn.ReLU(inplace=True)]
            in_channels = v
    return nn.Sequential(*layers)


def vgg16_bn(num_classes=10, init='bearpaw'):
    return VGG(make_vgg_layers(VGG_CFG['vgg16_bn']), num_classes, init)


def vgg19_bn(num_classes=10, init='bearpaw'):
    return VGG(make_vgg_layers(VGG_CFG['vgg19_bn']), num_classes, init)


# ------------------------------------------------------------------ ResNet
def conv3x3(in_planes, out_planes, stride=1):
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride,
                     padding=1, bias=False)


class LambdaLayer(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


class ResBasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        residual = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            residual = self.downsample(x)
        out += residual
        return self.relu(out)


class ResNet(nn.Module):
    """bearpaw resnet.py with block_name='BasicBlock' (its default):
    depth 6n+2, 16/32/64 channels, projection shortcut (option B) named
    `downsample`. shortcut='A' gives the parameter-free zero-pad shortcut
    (x[:, :, ::2, ::2] padded with planes//4 zero channels on each side)."""

    def __init__(self, depth, num_classes=1000, shortcut='B', init='bearpaw'):
        super().__init__()
        assert (depth - 2) % 6 == 0, 'depth should be 6n+2'
        n = (depth - 2) // 6
        block = ResBasicBlock
        self.shortcut = shortcut
        self.inplanes = 16
        self.conv1 = nn.Conv2d(3, 16, kernel_size=3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu = nn.ReLU(inplace=True)
        self.layer1 = self._make_layer(block, 16, n)
        self.layer2 = self._make_layer(block, 32, n, stride=2)
        self.layer3 = self._make_layer(block, 64, n, stride=2)
        self.avgpool = nn.AvgPool2d(8)
        self.fc = nn.Linear(64 * block.expansion, num_classes)
        if init == 'bearpaw':
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    k = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
                    m.weight.data.normal_(0, math.sqrt(2. / k))
                elif isinstance(m, nn.BatchNorm2d):
                    m.weight.data.fill_(1)
                    m.bias.data.zero_()

    def _make_layer(self, block, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            if self.shortcut == 'B':
                downsample = nn.Sequential(
                    nn.Conv2d(self.inplanes, planes * block.expansion,
                              kernel_size=1, stride=stride, bias=False),
                    nn.BatchNorm2d(planes * block.expansion),
                )
            else:
                pad = planes // 4
                downsample = LambdaLayer(
                    lambda x, p=pad: F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, p, p)))
        layers = [block(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(self.inplanes, planes))
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        x = self.avgpool(x)
        x = x.view(x.size(0), -1)
        return self.fc(x)


def resnet20(num_classes=10, init='bearpaw'):
    return ResNet(20, num_classes, 'B', init)


def resnet56(num_classes=10, init='bearpaw'):
    return ResNet(56, num_classes, 'B', init)


def resnet110(num_classes=10, init='bearpaw'):
    return ResNet(110, num_classes, 'B', init)


def resnet20_a(num_classes=10, init='bearpaw'):
    return ResNet(20, num_classes, 'A', init)


def resnet56_a(num_classes=10, init='bearpaw'):
    return ResNet(56, num_classes, 'A', init)


def resnet110_a(num_classes=10, init='bearpaw'):
    return ResNet(110, num_classes, 'A', init)


# -------------------------------------------------------------- WideResNet
class WideBasicBlock(nn.Module):
    """bearpaw wrn.py (copied from xternalz/WideResNet-pytorch)."""

    def __init__(self, in_planes, out_planes, stride, dropRate=0.0):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(in_planes)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv1 = nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride,
                               padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_planes)
        self.relu2 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(out_planes, out_planes, kernel_size=3, stride=1,
                               padding=1, bias=False)
        self.droprate = dropRate
        self.equalInOut = (in_planes == out_planes)
        self.convShortcut = (not self.equalInOut) and nn.Conv2d(
            in_planes, out_planes, kernel_size=1, stride=stride,
            padding=0, bias=False) or None

    def forward(self, x):
        if not self.equalInOut:
            x = self.relu1(self.bn1(x))
        else:
            out = self.relu1(self.bn1(x))
        out = self.relu2(self.bn2(self.conv1(out if self.equalInOut else x)))
        if self.droprate > 0:
            out = F.dropout(out, p=self.droprate, training=self.training)
        out = self.conv2(out)
        return torch.add(x if self.equalInOut else self.convShortcut(x), out)


class NetworkBlock(nn.Module):
    def __init__(self, nb_layers, in_planes, out_planes, block, stride, dropRate=0.0):
        super().__init__()
        self.layer = nn.Sequential(*[
            block(i == 0 and in_planes or out_planes, out_planes,
                  i == 0 and stride or 1, dropRate) for i in range(nb_layers)])

    def forward(self, x):
        return self.layer(x)


class WideResNet(nn.Module):
    def __init__(self, depth, num_classes, widen_factor=1, dropRate=0.0, init='bearpaw'):
        super().__init__()
        nChannels = [16, 16 * widen_factor, 32 * widen_factor, 64 * widen_factor]
        assert (depth - 4) % 6 == 0, 'depth should be 6n+4'
        n = (depth - 4) // 6
        block = WideBasicBlock
        self.conv1 = nn.Conv2d(3, nChannels[0], kernel_size=3, stride=1,
                               padding=1, bias=False)
        self.block1 = NetworkBlock(n, nChannels[0], nChannels[1], block, 1, dropRate)
        self.block2 = NetworkBlock(n, nChannels[1], nChannels[2], block, 2, dropRate)
        self.block3 = NetworkBlock(n, nChannels[2], nChannels[3], block, 2, dropRate)
        self.bn1 = nn.BatchNorm2d(nChannels[3])
        self.relu = nn.ReLU(inplace=True)
        self.fc = nn.Linear(nChannels[3], num_classes)
        self.nChannels = nChannels[3]
        if init == 'bearpaw':
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    k = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
                    m.weight.data.normal_(0, math.sqrt(2. / k))
                elif isinstance(m, nn.BatchNorm2d):
                    m.weight.data.fill_(1)
                    m.bias.data.zero_()
                elif isinstance(m, nn.Linear):
                    m.bias.data.zero_()

    def forward(self, x):
        out = self.conv1(x)
        out = self.block3(self.block2(self.block1(out)))
        out = self.relu(self.bn1(out))
        out = F.avg_pool2d(out, 8)
        out = out.view(-1, self.nChannels)
        return self.fc(out)


def wrn16_8(num_classes=10, init='bearpaw'):
    return WideResNet(16, num_classes, 8, 0.0, init)


def wrn28_10(num_classes=10, init='bearpaw'):
    return WideResNet(28, num_classes, 10, 0.0, init)


# ---------------------------------------------------------------- DenseNet
class DenseBottleneck(nn.Module):
    def __init__(self, inplanes, expansion=4, growthRate=12, dropRate=0):
        super().__init__()
        planes = expansion * growthRate
        self.bn1 = nn.BatchNorm2d(inplanes)
        self.conv1 = nn.Conv2d(inplanes, planes, kernel_size=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, growthRate, kernel_size=3, padding=1, bias=False)
        self.relu = nn.ReLU(inplace=True)
        self.dropRate = dropRate

    def forward(self, x):
        out = self.conv1(self.relu(self.bn1(x)))
        out = self.conv2(self.relu(self.bn2(out)))
        if self.dropRate > 0:
            out = F.dropout(out, p=self.dropRate, training=self.training)
        return torch.cat((x, out), 1)


class DenseBasicBlock(nn.Module):
    def __init__(self, inplanes, expansion=1, growthRate=12, dropRate=0):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(inplanes)
        self.conv1 = nn.Conv2d(inplanes, growthRate, kernel_size=3, padding=1, bias=False)
        self.relu = nn.ReLU(inplace=True)
        self.dropRate = dropRate

    def forward(self, x):
        out = self.conv1(self.relu(self.bn1(x)))
        if self.dropRate > 0:
            out = F.dropout(out, p=self.dropRate, training=self.training)
        return torch.cat((x, out), 1)


class Transition(nn.Module):
    def __init__(self, inplanes, outplanes):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(inplanes)
        self.conv1 = nn.Conv2d(inplanes, outplanes, kernel_size=1, bias=False)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x):
        return F.avg_pool2d(self.conv1(self.relu(self.bn1(x))), 2)


class DenseNet(nn.Module):
    """bearpaw densenet.py. Its `n = (depth - 4) / 3` is a float under Python 3
    for BasicBlock; integer division is used here (same architecture)."""

    def __init__(self, depth=22, block=DenseBottleneck, dropRate=0, num_classes=10,
                 growthRate=12, compressionRate=2, init='bearpaw'):
        super().__init__()
        assert (depth - 4) % 3 == 0, 'depth should be 3n+4'
        n = (depth - 4) // 3 if block == DenseBasicBlock else (depth - 4) // 6
        self.growthRate = growthRate
        self.dropRate = dropRate
        self.inplanes = growthRate * 2
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=3, padding=1, bias=False)
        self.dense1 = self._make_denseblock(block, n)
        self.trans1 = self._make_transition(compressionRate)
        self.dense2 = self._make_denseblock(block, n)
        self.trans2 = self._make_transition(compressionRate)
        self.dense3 = self._make_denseblock(block, n)
        self.bn = nn.BatchNorm2d(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.avgpool = nn.AvgPool2d(8)
        self.fc = nn.Linear(self.inplanes, num_classes)
        if init == 'bearpaw':
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    k = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
                    m.weight.data.normal_(0, math.sqrt(2. / k))
                elif isinstance(m, nn.BatchNorm2d):
                    m.weight.data.fill_(1)
                    m.bias.data.zero_()

    def _make_denseblock(self, block, blocks):
        layers = []
        for _ in range(blocks):
            layers.append(block(self.inplanes, growthRate=self.growthRate,
                                dropRate=self.dropRate))
            self.inplanes += self.growthRate
        return nn.Sequential(*layers)

    def _make_transition(self, compressionRate):
        inplanes = self.inplanes
        outplanes = int(math.floor(self.inplanes // compressionRate))
        self.inplanes = outplanes
        return Transition(inplanes, outplanes)

    def forward(self, x):
        x = self.conv1(x)
        x = self.trans1(self.dense1(x))
        x = self.trans2(self.dense2(x))
        x = self.relu(self.bn(self.dense3(x)))
        x = self.avgpool(x)
        x = x.view(x.size(0), -1)
        return self.fc(x)


def densenet40_12(num_classes=10, init='bearpaw'):
    return DenseNet(40, DenseBasicBlock, 0, num_classes, 12, 1, init)


def densenet_bc100_12(num_classes=10, init='bearpaw'):
    return DenseNet(100, DenseBottleneck, 0, num_classes, 12, 2, init)


MODELS = {
    'vgg16_bn': vgg16_bn, 'vgg19_bn': vgg19_bn,
    'resnet20': resnet20, 'resnet56': resnet56, 'resnet110': resnet110,
    'wrn16_8': wrn16_8, 'wrn28_10': wrn28_10,
    'densenet40_12': densenet40_12,
}
EXTRA_MODELS = {
    'resnet20_a': resnet20_a, 'resnet56_a': resnet56_a, 'resnet110_a': resnet110_a,
    'densenet_bc100_12': densenet_bc100_12,
}
ALL_MODELS = {**MODELS, **EXTRA_MODELS}


def build(name, num_classes=10, init='bearpaw'):
    if name not in ALL_MODELS:
        raise SystemExit(f'unknown model {name!r}; known: {", ".join(ALL_MODELS)}')
    return ALL_MODELS[name](num_classes=num_classes, init=init)


def param_count(model):
    return sum(p.numel() for p in model.parameters())


def regularized_weights(model):
    """Names of every Conv2d and Linear weight (what MMA is applied to)."""
    return [n + '.weight' for n, m in model.named_modules()
            if isinstance(m, (nn.Conv2d, nn.Linear))]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', default=os.path.dirname(os.path.abspath(__file__)),
                    help='output folder (default: this script\'s folder)')
    args = ap.parse_args()
    torch.set_num_threads(1)
    os.makedirs(os.path.join(args.out, 'keys'), exist_ok=True)
    counts = {}
    print(f'{"model":<18} {"params (10 cls)":>16} {"params (100 cls)":>17} '
          f'{"state_dict keys":>15} {"conv/linear weights":>20}')
    for name in ALL_MODELS:
        entry = {}
        for nc in (10, 100):
            m = build(name, nc)
            sd = m.state_dict()
            entry[f'params_{nc}'] = param_count(m)
            entry[f'state_dict_keys_{nc}'] = len(sd)
            entry[f'state_dict_float_numel_{nc}'] = sum(
                v.numel() for v in sd.values() if v.is_floating_point())
            entry[f'conv_linear_weights_{nc}'] = len(regularized_weights(m))
            if nc == 100:
                with open(os.path.join(args.out, 'keys', f'{name}.txt'), 'w') as f:
                    f.write(f'# {name}, num_classes=100, PyTorch {torch.__version__} '
                            f'state_dict (includes num_batches_tracked buffers, int64)\n')
                    f.write('# key\tdtype\tshape\n')
                    for k, v in sd.items():
                        f.write(f'{k}\t{str(v.dtype).replace("torch.", "")}\t{list(v.shape)}\n')
        entry['extra'] = name in EXTRA_MODELS
        counts[name] = entry
        print(f'{name:<18} {entry["params_10"]:>16,} {entry["params_100"]:>17,} '
              f'{entry["state_dict_keys_100"]:>15} {entry["conv_linear_weights_100"]:>20}')
    with open(os.path.join(args.out, 'param_counts.json'), 'w') as f:
        json.dump(counts, f, indent=1)
    print('wrote', os.path.join(args.out, 'param_counts.json'), 'and keys/*.txt')


if __name__ == '__main__':
    main()
