package mma4j.models.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import mma4j.nn.safetensors.SafeTensors;
import mma4j.tensor.Device;
import mma4j.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training loop end to end on small CIFAR-10 files written in the official binary layout. */
class TrainerTest {
    @TempDir
    static Path data;

    /** 5 training batches of 12 images and a test batch of 12: label byte + 3072 pixel bytes each. */
    @BeforeAll
    static void writeCifar10() throws IOException {
        Random r = new Random(7);
        for (String f : List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin")) {
            byte[] b = new byte[12 * 3073];
            for (int i = 0; i < 12; i++) {
                int label = r.nextInt(10);
                b[i * 3073] = (byte) label;
                // A class-dependent brightness plus noise, so there is something to learn.
                for (int p = 0; p < 3072; p++) b[i * 3073 + 1 + p] = (byte) Math.min(255, label * 20 + r.nextInt(60));
            }
            Files.write(data.resolve(f), b);
        }
    }

    static TrainOptions options(Path out, int epochs, double lr) {
        // A schedule that does not depend on the total epoch count (a run cut short and resumed
        // must see the same learning rates), with a milestone inside the run, and augmentation on,
        // so that the schedule state and the augmentation draws are part of what resume restores.
        Recipe recipe = Recipe.defaults("vgg_small", "cifar10").withEpochs(epochs).withBatchSize(16).withLr(lr)
                .withSchedule("multistep", new int[] {2}).withAugment(true);
        return new TrainOptions("vgg_small", "cifar10", data, recipe, "mma", "all", 3, 2, out, Device.CPU, false, 0);
    }

    static Trainer.Summary train(TrainOptions o, boolean resume) throws IOException {
        return new Trainer(o, new PrintStream(new ByteArrayOutputStream())).run(resume);
    }

    @Test
    void aShortRunWritesMetricsCheckpointsAndPlots(@TempDir Path out) throws IOException {
        Trainer.Summary s = train(options(out, 2, 0.01), false);
        List<Map<String, Object>> m = new MetricsLog(out.resolve("metrics.jsonl")).read();
        assertEquals(2, m.size());
        for (String k : List.of("epoch", "train_loss", "reg_loss", "train_top1", "test_top1", "test_top5", "seconds", "min_angles_deg")) {
            assertTrue(m.get(1).containsKey(k), "metrics line lacks " + k + ": " + m.get(1));
        }
        assertTrue(((Number) m.get(0).get("reg_loss")).doubleValue() < 0, "the MMA term is negative");
        assertEquals(5, ((Map<?, ?>) m.get(1).get("min_angles_deg")).size(), "4 convs + the classifier");
        assertEquals(2 * 4, StepLog.read(out).size(), "60 images in batches of 16: 4 steps per epoch");
        for (String f : List.of("checkpoint.safetensors", "optimizer.safetensors", "state.json", "curves.png", "angles.png", "steps.csv", "steps.png")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        Map<String, Tensor> sd = SafeTensors.load(out.resolve("checkpoint.safetensors"));
        assertTrue(sd.containsKey("features.0.weight") && sd.containsKey("features.1.running_var") && sd.containsKey("classifier.bias"), sd.keySet().toString());
        assertTrue(s.testTop1() >= 0 && s.testTop1() <= 100);
    }

    @Test
    void resumingGivesBitwiseTheUninterruptedResult(@TempDir Path a, @TempDir Path b) throws IOException {
        train(options(a, 3, 0.01), false);
        train(options(b, 1, 0.01), false);               // "interrupted" after epoch 1
        train(options(b, 3, 0.01), true);                // continued to epoch 3
        Map<String, Tensor> ta = SafeTensors.load(a.resolve("checkpoint.safetensors"));
        Map<String, Tensor> tb = SafeTensors.load(b.resolve("checkpoint.safetensors"));
        assertEquals(ta.keySet(), tb.keySet());
        for (String k : ta.keySet()) assertArrayEquals(ta.get(k).toArray(), tb.get(k).toArray(), k);
        assertEquals(Files.readString(a.resolve("steps.csv")), Files.readString(b.resolve("steps.csv")), "every step's losses");
        List<Map<String, Object>> ma = new MetricsLog(a.resolve("metrics.jsonl")).read(), mb = new MetricsLog(b.resolve("metrics.jsonl")).read();
        assertEquals(3, mb.size());
        for (int e = 0; e < 3; e++) {
            for (String k : List.of("train_loss", "reg_loss", "train_top1", "test_top1", "min_angles_deg")) {
                assertEquals(ma.get(e).get(k), mb.get(e).get(k), "epoch " + (e + 1) + " " + k);
            }
        }
    }

    @Test
    void aNonFiniteLossStopsNamingTheStepAndKeepsTheLastGoodCheckpoint(@TempDir Path out) throws IOException {
        train(options(out, 1, 0.01), false);
        // Poison one weight of the saved model (as a diverged update would) and continue from it.
        Path ck = out.resolve("checkpoint.safetensors");
        var contents = SafeTensors.read(ck);
        Map<String, Tensor> sd = new java.util.LinkedHashMap<>(contents.tensors());
        sd.get("classifier.weight").set(Float.NaN, 0, 0);
        SafeTensors.save(ck, sd, contents.metadata());
        byte[] before = Files.readAllBytes(ck);
        var e = assertThrows(Trainer.DivergedException.class, () -> train(options(out, 2, 0.01), true));
        assertTrue(e.getMessage().contains("epoch 2, step 1 "), e.getMessage());
        assertTrue(e.getMessage().contains("last good checkpoint"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(ck), "nothing is written after a non-finite loss");
        assertEquals(1, new MetricsLog(out.resolve("metrics.jsonl")).read().size());
    }

    @Test
    void resumingFromAnEmptyDirectorySaysWhatIsMissing(@TempDir Path out) {
        var e = assertThrows(IllegalArgumentException.class, () -> train(options(out, 1, 0.01), true));
        assertTrue(e.getMessage().contains("state.json") && e.getMessage().contains(out.toString()), e.getMessage());
    }
}
