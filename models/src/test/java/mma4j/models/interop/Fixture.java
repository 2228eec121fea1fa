package mma4j.models.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import mma4j.autograd.GradMode;
import mma4j.autograd.Variable;
import mma4j.models.zoo.ModelZoo;
import mma4j.nn.Module;
import mma4j.nn.safetensors.DType;
import mma4j.nn.safetensors.SafeTensors;
import mma4j.tensor.Generator;
import mma4j.tensor.Tensor;

/**
 * One PyTorch-parity fixture written by make_fixtures.py: a state dict (metadata: model, classes)
 * and, per input size S, the input{@code S} batch and PyTorch's eval-mode logits{@code S}.
 */
record Fixture(String id, String model, int classes, SafeTensors.Contents weights, Map<String, Tensor> io) {
    static Fixture read(Path dir, String id) throws IOException {
        SafeTensors.Contents w = SafeTensors.read(dir.resolve(id + ".safetensors"));
        Map<String, Tensor> io = SafeTensors.load(dir.resolve(id + ".io.safetensors"));
        return new Fixture(id, w.metadata().get("model"), Integer.parseInt(w.metadata().get("classes")), w, io);
    }

    /** A committed fixture, from the test resources. */
    static Fixture resource(String id) throws IOException {
        try {
            return read(Path.of(Fixture.class.getResource("/interop/" + id + ".safetensors").toURI()).getParent(), id);
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
    }

    int[] sizes() {
        return io.keySet().stream().filter(k -> k.startsWith("input")).mapToInt(k -> Integer.parseInt(k.substring(5))).sorted().toArray();
    }

    Tensor input(int size) {
        return io.get("input" + size);
    }

    Tensor logits(int size) {
        return io.get("logits" + size);
    }

    /** Our model for this fixture's inputs of one size, initialised from an unrelated seed and then loaded strictly. */
    Module load(int size) {
        Module m = ModelZoo.create(model, new ModelZoo.Spec(3, size, classes), new Generator(12345));
        m.loadStateDict(weights.tensors(), true);
        return m;
    }

    /** PyTorch's dtypes: every tensor F32, batch-norm's counters I64 (and they arrive as exact integers). */
    void checkDtypes() {
        for (var e : weights.dtypes().entrySet()) {
            boolean counter = e.getKey().endsWith(".num_batches_tracked");
            assertEquals(counter ? DType.I64 : DType.F32, e.getValue(), id + ": dtype of " + e.getKey());
            if (counter) {
                float v = weights.tensors().get(e.getKey()).item();
                assertTrue(v >= 100 && v == Math.rint(v), id + ": " + e.getKey() + " = " + v);
            }
        }
    }

    static float[] evalLogits(Module m, Tensor x) {
        m.eval();
        try (var scope = GradMode.noGrad()) {
            return m.forward(Variable.of(x)).data().toArray();
        }
    }
}
