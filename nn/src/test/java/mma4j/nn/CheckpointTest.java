package mma4j.nn;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mma4j.autograd.Variable;
import mma4j.nn.optim.OptimizerState;
import mma4j.nn.optim.SGD;
import mma4j.nn.safetensors.Json;
import mma4j.nn.safetensors.SafeTensors;
import mma4j.nn.schedule.LinearWarmup;
import mma4j.nn.schedule.MultiStepLR;
import mma4j.tensor.Generator;
import mma4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole training state (weights and buffers, optimizer, schedule, dropout generator) goes
 * to files and back, and the resumed run's losses are bitwise those of the run that never stopped.
 */
class CheckpointTest {
    @TempDir
    Path dir;

    /** Everything a run holds; built from fixed seeds, so two runs start identical. */
    static final class Run {
        final Dropout dropout = new Dropout(0.2f, new Generator(8));
        final Sequential model;
        final SGD opt;
        final LinearWarmup schedule;
        final CrossEntropyLoss lossFn = new CrossEntropyLoss(0.1f);
        final Tensor x;
        final int[] y = new int[16];

        Run(long initSeed) {
            Generator g = new Generator(initSeed);
            model = new Sequential(Conv2d.builder(1, 4, 3).padding(1).bias(false).generator(g).build(), new BatchNorm2d(4), new ReLU(),
                    new MaxPool2d(2), new Flatten(), dropout, new Linear(16, 3, true, g));
            opt = new SGD(model.parameters(), SGD.options(0.05).momentum(0.9).nesterov(true).weightDecay(5e-4));
            schedule = new LinearWarmup(opt, new MultiStepLR(opt, new int[] {5}, 0.2), 3, 0.1);
            Generator data = new Generator(77);
            x = Tensor.randn(data, 16, 1, 4, 4);
            for (int i = 0; i < y.length; i++) y[i] = data.nextInt(3);
        }

        float step() {
            opt.zeroGrad();
            Variable loss = lossFn.forward(model.forward(Variable.of(x)), y);
            loss.backward();
            opt.step();
            schedule.step();
            return loss.item();
        }

        void save(Path dir) throws IOException {
            SafeTensors.save(dir.resolve("model.safetensors"), model.stateDict(), Map.of("format", "pt"));
            OptimizerState os = opt.state();
            SafeTensors.save(dir.resolve("optimizer.safetensors"), os.tensors());
            LinkedHashMap<String, Object> json = new LinkedHashMap<>();
            json.put("optimizer", os.scalars());
            json.put("schedule", schedule.state());
            json.put("dropout_generator", List.of(java.util.Arrays.stream(dropout.generator().state()).boxed().toArray()));
            Files.writeString(dir.resolve("state.json"), Json.write(json));
        }

        @SuppressWarnings("unchecked")
        void load(Path dir) throws IOException {
            model.loadStateDict(SafeTensors.load(dir.resolve("model.safetensors")), true);
            Map<String, Object> json = (Map<String, Object>) Json.parse(Files.readString(dir.resolve("state.json")));
            opt.loadState(new OptimizerState(SafeTensors.load(dir.resolve("optimizer.safetensors")), doubles(json.get("optimizer"))));
            schedule.loadState(doubles(json.get("schedule")));
            List<Object> words = (List<Object>) json.get("dropout_generator");
            long[] st = new long[words.size()];
            for (int i = 0; i < st.length; i++) st[i] = (Long) words.get(i);
            dropout.generator().setState(st);
        }

        static Map<String, Double> doubles(Object o) {
            LinkedHashMap<String, Double> m = new LinkedHashMap<>();
            for (var e : ((Map<?, ?>) o).entrySet()) m.put((String) e.getKey(), ((Number) e.getValue()).doubleValue());
            return m;
        }
    }

    @Test
    void resumedRunIsBitwiseTheSame() throws IOException {
        Run straight = new Run(1);
        float[] expected = new float[8];
        for (int i = 0; i < 8; i++) expected[i] = straight.step();

        Run first = new Run(1);
        for (int i = 0; i < 4; i++) assertEquals(expected[i], first.step());
        first.save(dir);

        Run resumed = new Run(2);   // different initial weights: everything must come from the files
        resumed.load(dir);
        for (int i = 4; i < 8; i++) assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(resumed.step()), "step " + i);
        for (var e : straight.model.stateDict().entrySet()) {
            assertArrayEquals(e.getValue().toArray(), resumed.model.stateDict().get(e.getKey()).toArray(), e.getKey());
        }
        assertEquals(straight.opt.paramGroups().get(0).lr(), resumed.opt.paramGroups().get(0).lr(), 0.0);
        assertTrue(expected[7] < expected[0], "it trains");
    }
}
