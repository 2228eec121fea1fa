package mma4j.nn.regularizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import mma4j.autograd.Variable;
import org.junit.jupiter.api.Test;

class LayerRegularizationTest {
    final Variable conv1 = Variable.param(Weights.randn(1, 8, 27).reshape(8, 3, 3, 3));
    final Variable conv2 = Variable.param(Weights.randn(2, 16, 72).reshape(16, 8, 3, 3));
    final Variable fc = Variable.param(Weights.randn(3, 10, 16));
    final List<LayerRegularization.Weight> weights = List.of(
            new LayerRegularization.Weight("features.0.weight", conv1, false),
            new LayerRegularization.Weight("features.3.weight", conv2, false),
            new LayerRegularization.Weight("classifier.weight", fc, true));

    static float mma(Variable w) {
        return new MmaLoss().apply(w).item();
    }

    @Test
    void allLayersSumsEveryTermTimesItsCoefficient() {
        LayerRegularization reg = LayerRegularization.builder(new MmaLoss()).layers(LayerRegularization.Layers.ALL).coefficient(0.07)
                .coefficient("classifier.weight", 0.5).build();
        LayerRegularization.Result r = reg.apply(weights);
        double expected = 0.07 * mma(conv1) + 0.07 * mma(conv2) + 0.5 * mma(fc);
        assertEquals(expected, r.total().item(), 1e-6);
        assertEquals(List.of("features.0.weight", "features.3.weight", "classifier.weight"), List.copyOf(r.values().keySet()));
        assertEquals(mma(fc), r.values().get("classifier.weight"), 0f);
        r.total().backward();
        assertTrue(conv1.grad() != null && conv2.grad() != null && fc.grad() != null);
    }

    @Test
    void hiddenAndOutputSplitAtTheClassifier() {
        LayerRegularization hidden = LayerRegularization.builder(new MmaLoss()).layers(LayerRegularization.Layers.HIDDEN).build();
        LayerRegularization output = LayerRegularization.builder(new MmaLoss()).layers(LayerRegularization.Layers.OUTPUT).build();
        LayerRegularization.Result h = hidden.apply(weights), o = output.apply(weights);
        assertEquals(List.of("features.0.weight", "features.3.weight"), List.copyOf(h.values().keySet()));
        assertEquals(List.of("classifier.weight"), List.copyOf(o.values().keySet()));
        h.total().backward();
        assertNull(fc.grad(), "the classifier is not a hidden layer");
        assertEquals(mma(conv1) + mma(conv2), h.total().item(), 1e-6);
    }

    @Test
    void aModelsConvAndLinearWeightsAreFoundByName() {
        mma4j.nn.Sequential model = new mma4j.nn.Sequential(
                mma4j.nn.Conv2d.builder(3, 8, 3).padding(1).build(), new mma4j.nn.ReLU(),
                mma4j.nn.Conv2d.builder(8, 16, 3).padding(1).build(), new mma4j.nn.AdaptiveAvgPool2d(), new mma4j.nn.Flatten(),
                new mma4j.nn.Linear(16, 12, true), new mma4j.nn.ReLU(), new mma4j.nn.Linear(12, 10, true));
        List<LayerRegularization.Weight> ws = LayerRegularization.weightsOf(model);
        assertEquals(List.of("0.weight", "2.weight", "5.weight", "7.weight"), ws.stream().map(LayerRegularization.Weight::name).toList());
        assertEquals(List.of(false, false, false, true), ws.stream().map(LayerRegularization.Weight::isOutput).toList());
        assertTrue(model.namedParameters().keySet().containsAll(ws.stream().map(LayerRegularization.Weight::name).toList()));
        LayerRegularization.Result hidden = LayerRegularization.builder(new MmaLoss()).layers(LayerRegularization.Layers.HIDDEN).build().apply(model);
        assertEquals(List.of("0.weight", "2.weight", "5.weight"), List.copyOf(hidden.values().keySet()));
    }

    @Test
    void mistakesAreNamed() {
        var typo = assertThrows(IllegalArgumentException.class, () -> LayerRegularization.builder(new MmaLoss())
                .coefficient("clasifier.weight", 1).build().apply(weights));
        assertTrue(typo.getMessage().contains("clasifier.weight"), typo.getMessage());
        var negative = assertThrows(IllegalArgumentException.class, () -> LayerRegularization.builder(new MmaLoss()).coefficient(-0.1));
        assertTrue(negative.getMessage().contains("-0.1"), negative.getMessage());
        var badLayer = assertThrows(IllegalArgumentException.class, () -> LayerRegularization.builder(new MmaLoss())
                .build().apply(List.of(new LayerRegularization.Weight("head.weight", Variable.param(Weights.randn(4, 1, 9)), true))));
        assertTrue(badLayer.getMessage().contains("head.weight") && badLayer.getMessage().contains("1 row"), badLayer.getMessage());
        var noOutput = assertThrows(IllegalArgumentException.class, () -> LayerRegularization.builder(new MmaLoss())
                .layers(LayerRegularization.Layers.OUTPUT).build().apply(weights.subList(0, 2)));
        assertTrue(noOutput.getMessage().contains("output"), noOutput.getMessage());
        var parse = assertThrows(IllegalArgumentException.class, () -> LayerRegularization.Layers.parse("last"));
        assertTrue(parse.getMessage().contains("'last'"), parse.getMessage());
    }
}
