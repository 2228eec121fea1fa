package mma4j.models.zoo;

import mma4j.nn.BatchNorm;
import mma4j.nn.Conv2d;
import mma4j.nn.Linear;
import mma4j.nn.Module;
import mma4j.nn.init.Init;
import mma4j.tensor.Generator;

/**
 * The re-initialization the reference CIFAR code (bearpaw/pytorch-classification) runs after
 * building a model: conv weights N(0, sqrt(2 / (k*k*out))), batch-norm weight 1 and bias 0,
 * and per family a Linear rule. The MMA paper trains from exactly this start.
 */
final class BearpawInit {
    enum LinearRule { KEEP_TORCH_DEFAULT, NORMAL_001_ZERO_BIAS, ZERO_BIAS }

    private BearpawInit() {}

    static void apply(Module model, LinearRule linearRule, Generator g) {
        for (Module m : model.modules()) {
            if (m instanceof Conv2d c) {
                int n = c.kernelSize() * c.kernelSize() * c.outChannels();
                Init.normal(c.weight().data(), 0, Math.sqrt(2.0 / n), g);
                if (c.bias() != null) Init.zeros(c.bias().data());
            } else if (m instanceof BatchNorm b && b.affine()) {
                Init.ones(b.weight().data());
                Init.zeros(b.bias().data());
            } else if (m instanceof Linear l) {
                switch (linearRule) {
                    case NORMAL_001_ZERO_BIAS -> {
                        Init.normal(l.weight().data(), 0, 0.01, g);
                        if (l.bias() != null) Init.zeros(l.bias().data());
                    }
                    case ZERO_BIAS -> {
                        if (l.bias() != null) Init.zeros(l.bias().data());
                    }
                    case KEEP_TORCH_DEFAULT -> { }
                }
            }
        }
    }
}
