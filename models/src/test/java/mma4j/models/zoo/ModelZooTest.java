package mma4j.models.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mma4j.nn.Module;
import mma4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Our models against PyTorch's: the state-dict keys, their order and shapes, and the parameter
 * counts must equal what shared/peers/refmodels.py printed from torch 1.13 (kept as test resources).
 */
class ModelZooTest {
    private static final String[] REFERENCE_MODELS = {"vgg16_bn", "vgg19_bn", "resnet20", "resnet56", "resnet110", "resnet20_a",
            "resnet56_a", "resnet110_a", "wrn16_8", "wrn28_10", "densenet40_12", "densenet_bc100_12"};

    record Key(String name, int[] shape) {}

    static List<Key> referenceKeys(String model) throws Exception {
        List<Key> keys = new ArrayList<>();
        try (var in = ModelZooTest.class.getResourceAsStream("/reference-keys/" + model + ".txt");
             var r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("#") || line.isBlank()) continue;
                String[] f = line.split("\t");
                String dims = f[2].replaceAll("[\\[\\] ]", "");
                int[] shape = dims.isEmpty() ? new int[0] : java.util.Arrays.stream(dims.split(",")).mapToInt(Integer::parseInt).toArray();
                keys.add(new Key(f[0], shape));
            }
        }
        return keys;
    }

    static long referenceParams(String model, int classes) throws Exception {
        String json = new String(ModelZooTest.class.getResourceAsStream("/reference-keys/param_counts.json").readAllBytes(), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("\"" + model + "\":\\s*\\{[^}]*?\"params_" + classes + "\":\\s*(\\d+)").matcher(json);
        assertTrue(m.find(), "no reference count for " + model);
        return Long.parseLong(m.group(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"vgg16_bn", "vgg19_bn", "resnet20", "resnet56", "resnet110", "resnet20_a",
            "resnet56_a", "resnet110_a", "wrn16_8", "wrn28_10", "densenet40_12", "densenet_bc100_12"})
    void stateDictKeysShapesAndCountsMatchPyTorch(String name) throws Exception {
        Module model = ModelZoo.create(name, 100, 0);
        List<Key> ref = referenceKeys(name);
        Map<String, Tensor> sd = model.stateDict();
        assertEquals(ref.stream().map(Key::name).toList(), new ArrayList<>(sd.keySet()), name + ": state-dict keys or their order differ");
        for (Key k : ref) assertArrayEquals(k.shape(), sd.get(k.name()).shape(), name + ": shape of " + k.name());
        assertEquals(referenceParams(name, 100), model.parameterCount(), name + " parameters, 100 classes");
        assertEquals(referenceParams(name, 10), ModelZoo.create(name, 10, 0).parameterCount(), name + " parameters, 10 classes");
    }

    @org.junit.jupiter.api.Test
    void everyReferenceModelIsKnown() {
        for (String m : REFERENCE_MODELS) assertTrue(ModelZoo.names().contains(m), m);
    }

    @org.junit.jupiter.api.Test
    void unknownModelNamesTheKnownOnes() {
        var e = assertThrows(IllegalArgumentException.class, () -> ModelZoo.create("resnet57", 10, 0));
        assertTrue(e.getMessage().contains("resnet57") && e.getMessage().contains("resnet56"), e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void badDepthsAreRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> new ResNet(21, 10, ResNet.Shortcut.PROJECTION, new mma4j.tensor.Generator(0)));
        assertTrue(e.getMessage().contains("21"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new WideResNet(17, 8, 10, 0f, new mma4j.tensor.Generator(0)));
    }
}
