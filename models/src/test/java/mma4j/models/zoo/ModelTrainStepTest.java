package mma4j.models.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import mma4j.autograd.Functional;
import mma4j.autograd.GradMode;
import mma4j.autograd.Variable;
import mma4j.nn.Module;
import mma4j.nn.optim.SGD;
import mma4j.tensor.Generator;
import mma4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every model: logits shape in train and eval mode, and one SGD step lowers the loss on a fixed batch. */
class ModelTrainStepTest {

    @ParameterizedTest
    @CsvSource({"vgg16_bn,3,32", "vgg19_bn,3,32", "resnet20,3,32", "resnet56,3,32", "resnet110,3,32", "resnet20_a,3,32",
            "wrn16_8,3,32", "wrn28_10,3,32", "densenet40_12,3,32", "densenet_bc100_12,3,32",
            "vgg16_bn,3,64", "resnet56,3,64", "vgg_small,1,28"})
    void shapesAndOneStepLowersTheLoss(String name, int channels, int size) {
        int classes = size == 64 ? 200 : 10, batch = 2;
        Module model = ModelZoo.create(name, new ModelZoo.Spec(channels, size, classes), new Generator(1));
        Generator g = new Generator(2);
        Variable x = Variable.of(Tensor.randn(g, batch, channels, size, size));
        int[] y = {1, 7};

        model.eval();
        try (var s = GradMode.noGrad()) {
            assertArrayEquals(new int[] {batch, classes}, model.forward(x).shape(), name + " eval logits");
        }
        model.train();
        SGD opt = new SGD(model.parameters(), SGD.options(0.02).momentum(0.9));
        Variable loss = Functional.crossEntropy(model.forward(x), y);
        assertArrayEquals(new int[0], loss.shape());
        float before = loss.item();
        opt.zeroGrad();
        loss.backward();
        opt.step();
        float after;
        try (var s = GradMode.noGrad()) {
            after = Functional.crossEntropy(model.forward(x), y).item();
        }
        assertTrue(Float.isFinite(before) && after < before, name + ": loss " + before + " -> " + after);
    }
}
