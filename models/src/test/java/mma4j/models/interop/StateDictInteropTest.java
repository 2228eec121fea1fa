package mma4j.models.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mma4j.models.zoo.ModelZoo;
import mma4j.nn.Module;
import mma4j.nn.StateDictException;
import mma4j.nn.safetensors.DType;
import mma4j.nn.safetensors.SafeTensors;
import mma4j.tensor.Generator;
import mma4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * State dicts through files: PyTorch's weights saved again by mma4j give bitwise the same model,
 * a state dict that does not fit fails naming the key and loads nothing, and a model saved by
 * mma4j runs in PyTorch (when torch is installed) with the same logits.
 */
class StateDictInteropTest {
    @Test
    void savingAndLoadingAgainGivesBitwiseTheSameLogits(@TempDir Path dir) throws IOException {
        Fixture f = Fixture.resource("resnet20");
        Module a = f.load(32);
        float[] before = Fixture.evalLogits(a, f.input(32));
        Path file = dir.resolve("resnet20.safetensors");
        SafeTensors.save(file, a.stateDict(), Map.of("format", "pt"));

        SafeTensors.Contents saved = SafeTensors.read(file);
        assertEquals(f.weights().tensors().keySet(), saved.tensors().keySet());
        for (var e : f.weights().tensors().entrySet()) {
            assertArrayEquals(e.getValue().toArray(), saved.tensors().get(e.getKey()).toArray(), e.getKey());
            assertEquals(f.weights().dtypes().get(e.getKey()), saved.dtypes().get(e.getKey()), "dtype of " + e.getKey());
        }
        Module b = ModelZoo.create("resnet20", new ModelZoo.Spec(3, 32, 10), new Generator(99));
        b.loadStateDict(SafeTensors.load(file), true);
        assertArrayEquals(before, Fixture.evalLogits(b, f.input(32)), "logits after save + load");
    }

    @Test
    void aMissingKeyFailsNamingItAndLoadsNothing() throws IOException {
        Map<String, Tensor> sd = weights("resnet20");
        sd.remove("layer2.0.downsample.1.running_var");
        StateDictException e = loadFails(sd);
        assertEquals(List.of("layer2.0.downsample.1.running_var"), e.missingKeys());
        assertTrue(e.getMessage().contains("Missing key(s): layer2.0.downsample.1.running_var"), e.getMessage());
    }

    @Test
    void anUnexpectedKeyFailsNamingIt() throws IOException {
        Map<String, Tensor> sd = weights("resnet20");
        sd.put("layer3.2.bn3.weight", Tensor.ones(64));
        StateDictException e = loadFails(sd);
        assertEquals(List.of("layer3.2.bn3.weight"), e.unexpectedKeys());
        assertTrue(e.getMessage().contains("Unexpected key(s): layer3.2.bn3.weight"), e.getMessage());
    }

    @Test
    void aWronglyShapedKeyFailsNamingItAndBothShapes() throws IOException {
        Map<String, Tensor> sd = weights("resnet20");
        sd.put("layer1.1.conv2.weight", Tensor.zeros(16, 16, 1, 1));
        StateDictException e = loadFails(sd);
        assertEquals(1, e.shapeMismatches().size(), e.getMessage());
        String m = e.shapeMismatches().get(0);
        assertTrue(m.startsWith("layer1.1.conv2.weight") && m.contains("[16, 16, 1, 1]") && m.contains("[16, 16, 3, 3]"), m);
    }

    @Test
    void aCheckpointForOtherClassesOrShortcutsIsRefused() throws IOException {
        Module tenClasses = ModelZoo.create("resnet20_a", new ModelZoo.Spec(3, 32, 10), new Generator(0));
        var e = assertThrows(StateDictException.class, () -> tenClasses.loadStateDict(weights("resnet20_a"), true));
        assertEquals(2, e.shapeMismatches().size(), e.getMessage());
        assertTrue(e.getMessage().contains("fc.weight: checkpoint [100, 64], model [10, 64]"), e.getMessage());

        Module zeroPad = ModelZoo.create("resnet20_a", new ModelZoo.Spec(3, 32, 10), new Generator(0));
        e = assertThrows(StateDictException.class, () -> zeroPad.loadStateDict(weights("resnet20"), true));
        assertTrue(e.unexpectedKeys().contains("layer2.0.downsample.0.weight") && e.missingKeys().isEmpty(), e.getMessage());
    }

    /** The fixture's weights, as a mutable map. */
    private static Map<String, Tensor> weights(String id) throws IOException {
        return new LinkedHashMap<>(Fixture.resource(id).weights().tensors());
    }

    /** Loading into a fresh resnet20 fails, and the model is left exactly as it was. */
    private static StateDictException loadFails(Map<String, Tensor> sd) throws IOException {
        Fixture f = Fixture.resource("resnet20");
        Module m = ModelZoo.create("resnet20", new ModelZoo.Spec(3, 32, 10), new Generator(5));
        float[] before = Fixture.evalLogits(m, f.input(32));
        StateDictException e = assertThrows(StateDictException.class, () -> m.loadStateDict(sd, true));
        assertArrayEquals(before, Fixture.evalLogits(m, f.input(32)), "a failed load changed the model");
        return e;
    }

    /** The other direction: a model made and saved here, with non-trivial batch-norm state, loads strictly in PyTorch. */
    @Test
    void aModelSavedHereRunsInPyTorchWithTheSameLogits(@TempDir Path dir) throws IOException {
        assumeTrue(TorchPeer.available(), "needs /usr/bin/python3 with torch (Debian: apt-get install python3-torch)");
        Generator g = new Generator(2024);
        Module m = ModelZoo.create("densenet40_12", new ModelZoo.Spec(3, 32, 100), g);
        for (var e : m.stateDict().entrySet()) {
            Tensor t = e.getValue();
            String k = e.getKey();
            if (k.endsWith("num_batches_tracked")) t.fillInPlace(781);
            else if (k.endsWith("running_var")) t.copyFrom(Tensor.uniform(g, 0.5f, 2f, t.shape()));
            else if (k.endsWith("running_mean") || k.endsWith(".bias")) t.copyFrom(Tensor.uniform(g, -0.2f, 0.2f, t.shape()));
            else if (k.startsWith("dense") && k.endsWith("bn1.weight")) t.copyFrom(Tensor.uniform(g, 0.5f, 1.5f, t.shape()));
        }
        Path weights = dir.resolve("ours.safetensors"), io = dir.resolve("io.safetensors"), out = dir.resolve("torch.safetensors");
        SafeTensors.save(weights, m.stateDict(), Map.of("format", "pt", "model", "densenet40_12", "classes", "100"));
        assertEquals(DType.I64, SafeTensors.read(weights).dtypes().get("dense1.0.bn1.num_batches_tracked"));
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        inputs.put("input32", Tensor.randn(g, 2, 3, 32, 32));
        inputs.put("input64", Tensor.randn(g, 2, 3, 64, 64));
        SafeTensors.save(io, inputs);
        TorchPeer.script("--torch-forward", weights.toString(), io.toString(), out.toString());
        Map<String, Tensor> torch = SafeTensors.load(out);
        for (int size : new int[] {32, 64}) {
            float[] t = torch.get("logits" + size).toArray();
            LogitCheck.assertInputMatters("ours in PyTorch at " + size, t, 100);
            double worst = LogitCheck.assertClose("densenet40_12 saved here, run in PyTorch at " + size + "x" + size,
                    Fixture.evalLogits(m, inputs.get("input" + size)), t, 100);
            System.out.printf("parity (mma4j -> PyTorch) densenet40_12 at %dx%d: %.2e%n", size, size, worst);
        }
    }
}
