package mma4j.models.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mma4j.models.zoo.ModelZoo;
import mma4j.nn.safetensors.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code mma4j models}: its key listing equals PyTorch's (the reference files written by
 * shared/peers/refmodels.py from torch 1.13), and its counts equal PyTorch's for 10 and 100 classes.
 */
class ModelsCommandTest {
    private static final List<String> REFERENCE_MODELS = List.of("vgg16_bn", "vgg19_bn", "resnet20", "resnet56", "resnet110", "resnet20_a",
            "resnet56_a", "resnet110_a", "wrn16_8", "wrn28_10", "densenet40_12", "densenet_bc100_12");
    private static Cli text;

    @BeforeAll
    static void listAll() {
        text = Cli.run("models");
        assertEquals(0, text.exitCode(), text.toString());
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = ModelsCommandTest.class.getResourceAsStream("/reference-keys/" + name)) {
            assertNotNull(in, name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The "key\tdtype\tshape" lines of each model's section of the text listing. */
    private static Map<String, List<String>> sections(String out) {
        Map<String, List<String>> s = new LinkedHashMap<>();
        List<String> current = null;
        for (String line : out.split("\n")) {
            if (line.startsWith("# ") && line.contains(": ") && line.endsWith("key\tdtype\tshape")) {
                current = new ArrayList<>();
                s.put(line.substring(2, line.indexOf(':')), current);
            } else if (current != null && !line.isBlank()) {
                current.add(line);
            }
        }
        return s;
    }

    @Test
    void keyListingsEqualPyTorchsLineForLine() throws IOException {
        Map<String, List<String>> s = sections(text.out());
        assertEquals(ModelZoo.names(), new ArrayList<>(s.keySet()), "one section per model, in the zoo's order");
        for (String m : REFERENCE_MODELS) {
            List<String> ref = resource(m + ".txt").lines().filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
            assertEquals(ref, s.get(m), m);
        }
    }

    @Test
    void jsonCountsEqualPyTorchsForTenAndHundredClasses() throws IOException {
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> ref = (Map<String, Map<String, Object>>) Json.parse(resource("param_counts.json"));
        for (int classes : new int[] {10, 100}) {
            Cli r = Cli.run("models", "--json", "--classes", String.valueOf(classes));
            assertEquals(0, r.exitCode(), r.toString());
            Map<?, ?> doc = (Map<?, ?>) Json.parse(r.out());
            assertEquals(List.of(3L, 32L, 32L), doc.get("input"));
            assertEquals((long) classes, doc.get("classes"));
            Map<String, Map<?, ?>> models = new LinkedHashMap<>();
            for (Object o : (List<?>) doc.get("models")) models.put((String) ((Map<?, ?>) o).get("name"), (Map<?, ?>) o);
            assertEquals(ModelZoo.names(), new ArrayList<>(models.keySet()));
            for (String m : REFERENCE_MODELS) {
                Map<?, ?> e = models.get(m);
                assertEquals(ref.get(m).get("params_" + classes), e.get("parameters"), m + " parameters, " + classes + " classes");
                assertEquals(ref.get(m).get("state_dict_keys_" + classes), e.get("state_dict_keys"), m + " keys");
                assertEquals(((Number) e.get("state_dict_keys")).intValue(), ((List<?>) e.get("state_dict")).size(), m);
            }
            Map<?, ?> fc = (Map<?, ?>) ((List<?>) models.get("resnet20").get("state_dict")).getLast();
            assertEquals(Map.of("key", "fc.bias", "dtype", "float32", "shape", List.of((long) classes)), fc);
        }
    }

    @Test
    void theTableAgreesWithTheJsonAndSummarySkipsTheKeys() {
        Cli r = Cli.run("models", "--summary", "resnet20", "wrn16_8");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("resnet20                  278,324              128"), r.out());
        assertTrue(r.out().contains("wrn16_8                11,007,540               83"), r.out());
        assertFalse(r.out().contains("conv1.weight"), r.out());
        assertTrue(text.out().contains("resnet20                  278,324              128"), "the full listing starts with the same table");
    }

    @Test
    void tinyImageNetGeometryWidensVggsClassifierAndFashionMnistRulesOutRgbModels() {
        Cli r = Cli.run("models", "--dataset", "tiny-imagenet", "vgg16_bn", "resnet56");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().startsWith("# models for 3x64x64 inputs and 200 classes"), r.out());
        assertTrue(r.out().contains("classifier.weight\tfloat32\t[200, 2048]"), r.out());
        assertTrue(r.out().contains("fc.weight\tfloat32\t[200, 64]"), r.out());

        r = Cli.run("models", "--dataset", "fashion-mnist", "--summary", "resnet20", "vgg_small");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("resnet20           not available: model expects 3-channel images"), r.out());
        assertTrue(r.out().contains("vgg_small                  96,746"), r.out());
    }

    @Test
    void badArgumentsExitWithTwoAndSayWhy() {
        Cli r = Cli.run("models", "resnet57");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("unknown model 'resnet57'") && r.err().contains("resnet56"), r.err());
        r = Cli.run("models", "--classes", "0");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--classes must be >= 1, got 0"), r.err());
        r = Cli.run("models", "--dataset", "mnist");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("unknown dataset 'mnist'"), r.err());
        assertEquals("", r.out());
    }
}
