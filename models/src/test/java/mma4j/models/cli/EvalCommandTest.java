package mma4j.models.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import mma4j.autograd.GradMode;
import mma4j.autograd.Variable;
import mma4j.models.train.MetricsLog;
import mma4j.models.train.Recipe;
import mma4j.models.train.TrainOptions;
import mma4j.models.train.Trainer;
import mma4j.models.zoo.ModelZoo;
import mma4j.nn.Module;
import mma4j.nn.safetensors.Json;
import mma4j.nn.safetensors.SafeTensors;
import mma4j.tensor.Device;
import mma4j.tensor.Generator;
import mma4j.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mma4j eval} in process, on small CIFAR-10 files in the official binary layout and the
 * checkpoint of a one-epoch {@code mma4j train} run; the expected predictions are computed here
 * from the raw bytes with the published normalization constants.
 */
class EvalCommandTest {
    private static final int TRAIN_PER_FILE = 12, TEST = 12, PIXELS = 3072;
    private static final float[] MEAN = {0.4914f, 0.4822f, 0.4465f}, STD = {0.2470f, 0.2435f, 0.2616f};

    @TempDir
    static Path data;
    @TempDir
    static Path run;
    static byte[] testBytes;
    static String checkpoint;

    /** 5 training files of 12 images and a 12-image test file; then one epoch of vgg_small on them. */
    @BeforeAll
    static void writeCifar10AndTrain() throws IOException {
        Random r = new Random(11);
        for (String f : List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin")) {
            byte[] b = new byte[TRAIN_PER_FILE * (PIXELS + 1)];
            for (int i = 0; i < TRAIN_PER_FILE; i++) {
                int label = r.nextInt(10);
                b[i * (PIXELS + 1)] = (byte) label;
                for (int p = 0; p < PIXELS; p++) b[i * (PIXELS + 1) + 1 + p] = (byte) Math.min(255, label * 20 + r.nextInt(60));
            }
            Files.write(data.resolve(f), b);
            if (f.equals("test_batch.bin")) testBytes = b;
        }
        Recipe recipe = Recipe.defaults("vgg_small", "cifar10").withEpochs(1).withBatchSize(16).withLr(0.02);
        TrainOptions o = new TrainOptions("vgg_small", "cifar10", data, recipe, "none", "all", 1, 2, run, Device.CPU, false, 0);
        new Trainer(o, new PrintStream(new ByteArrayOutputStream())).run(false);
        checkpoint = run.resolve("checkpoint.safetensors").toString();
    }

    /** The test images normalized as torchvision would, from the bytes written above. */
    static Tensor testImages() {
        float[] x = new float[TEST * PIXELS];
        for (int i = 0; i < TEST; i++) {
            for (int p = 0; p < PIXELS; p++) {
                int c = p / 1024;
                x[i * PIXELS + p] = ((testBytes[i * (PIXELS + 1) + 1 + p] & 0xFF) / 255f - MEAN[c]) / STD[c];
            }
        }
        return Tensor.of(x, TEST, 3, 32, 32);
    }

    static int[] testLabels() {
        int[] y = new int[TEST];
        for (int i = 0; i < TEST; i++) y[i] = testBytes[i * (PIXELS + 1)];
        return y;
    }

    /** The checkpoint's argmax per test image (first maximum on ties, as Evaluation). */
    static int[] expectedPredictions() throws IOException {
        Module m = ModelZoo.create("vgg_small", new ModelZoo.Spec(3, 32, 10), new Generator(42));
        m.loadStateDict(SafeTensors.load(Path.of(checkpoint)), true);
        m.eval();
        float[] logits;
        try (var scope = GradMode.noGrad()) {
            logits = m.forward(Variable.of(testImages())).data().toArray();
        }
        int[] pred = new int[TEST];
        for (int i = 0; i < TEST; i++) {
            for (int j = 1; j < 10; j++) if (logits[i * 10 + j] > logits[i * 10 + pred[i]]) pred[i] = j;
        }
        return pred;
    }

    static List<int[]> readCsv(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        assertEquals("index,label,predicted", lines.getFirst());
        List<int[]> rows = new ArrayList<>();
        for (String l : lines.subList(1, lines.size())) rows.add(java.util.Arrays.stream(l.split(",")).mapToInt(Integer::parseInt).toArray());
        return rows;
    }

    /** mma4j eval of the trained vgg_small on the test files; {@code extra} options add to or replace those. */
    static Cli eval(String... extra) {
        Map<String, String> opts = new java.util.LinkedHashMap<>(Map.of("--model", "vgg_small", "--checkpoint", checkpoint, "--dataset", "cifar10",
                "--data-dir", data.toString()));
        for (int i = 0; i < extra.length; i++) {
            boolean flag = i + 1 == extra.length || extra[i + 1].startsWith("--");
            opts.put(extra[i], flag ? null : extra[++i]);
        }
        List<String> args = new ArrayList<>(List.of("eval"));
        opts.forEach((k, v) -> {
            args.add(k);
            if (v != null) args.add(v);
        });
        return Cli.run(args.toArray(String[]::new));
    }

    @Test
    void printsAccuracyAndWritesOnePredictionPerSample(@TempDir Path out) throws IOException {
        Path csv = out.resolve("pred.csv");
        Cli r = eval("--predictions", csv.toString());
        assertEquals(0, r.exitCode(), r.toString());
        int[] labels = testLabels(), expected = expectedPredictions();
        List<int[]> rows = readCsv(csv);
        assertEquals(TEST, rows.size());
        int correct = 0;
        for (int i = 0; i < TEST; i++) {
            assertArrayEquals(new int[] {i, labels[i], expected[i]}, rows.get(i), "row " + i);
            if (expected[i] == labels[i]) correct++;
        }
        String top1 = String.format("top-1 %.2f%%", 100.0 * correct / TEST);
        assertTrue(r.out().startsWith("vgg_small on cifar10 test (12 images, " + checkpoint + "): " + top1), r.out());
        assertTrue(r.out().contains("wrote " + csv), r.out());
        assertEquals("", r.err());
    }

    @Test
    void jsonReportsWhatTheTrainerMeasuredForTheSameCheckpoint() throws IOException {
        Cli r = eval("--json", "--checkpoint", run.toString()); // a train output directory stands for its checkpoint
        assertEquals(0, r.exitCode(), r.toString());
        Map<?, ?> o = (Map<?, ?>) Json.parse(r.out().strip());
        assertEquals(List.of("model", "dataset", "split", "checkpoint", "samples", "top1", "top5", "predictions", "seconds"), new ArrayList<>(o.keySet()));
        assertEquals("vgg_small", o.get("model"));
        assertEquals("test", o.get("split"));
        assertEquals(checkpoint, o.get("checkpoint"));
        assertEquals((long) TEST, o.get("samples"));
        assertEquals(null, o.get("predictions"));
        Map<String, Object> metrics = new MetricsLog(run.resolve("metrics.jsonl")).read().getLast();
        assertEquals(((Number) metrics.get("test_top1")).doubleValue(), ((Number) o.get("top1")).doubleValue(), 1e-9, "top-1 as measured in training");
        assertEquals(((Number) metrics.get("test_top5")).doubleValue(), ((Number) o.get("top5")).doubleValue(), 1e-9, "top-5 as measured in training");
    }

    @Test
    void batchSizeAndThreadsDoNotChangeThePredictions(@TempDir Path out) throws IOException {
        Path a = out.resolve("a.csv"), b = out.resolve("b.csv");
        assertEquals(0, eval("--predictions", a.toString()).exitCode());
        Cli r = eval("--predictions", b.toString(), "--batch-size", "5", "--threads", "1");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(Files.readAllLines(a), Files.readAllLines(b));
    }

    @Test
    void theTrainSplitHasAllTrainingImages() {
        Cli r = eval("--split", "train", "--json");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals((long) 5 * TRAIN_PER_FILE, ((Map<?, ?>) Json.parse(r.out().strip())).get("samples"));
    }

    /** Bad input: exit code 2, one message on stderr that says what is wrong, nothing on stdout, no CSV. */
    private static void badInput(Path csv, String expected, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--predictions", csv.toString()));
        Cli r = eval(all.toArray(String[]::new));
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().startsWith("mma4j eval: ") && r.err().contains(expected), "expected '" + expected + "' in:\n" + r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace for bad input:\n" + r.err());
        assertEquals("", r.out());
        assertFalse(Files.exists(csv), "no predictions written");
    }

    @Test
    void badInputExitsWithTwoAndAClearMessage(@TempDir Path dir) throws IOException {
        Path csv = dir.resolve("p.csv");
        badInput(csv, "unknown model 'vgg17'", "--model", "vgg17");
        badInput(csv, "unknown dataset 'cifar11'", "--dataset", "cifar11");
        badInput(csv, "split must be train or test, got 'dev'", "--split", "dev");
        badInput(csv, "checkpoint " + dir.resolve("none.safetensors") + " does not exist", "--checkpoint", dir.resolve("none.safetensors").toString());
        badInput(csv, "--batch-size must be >= 1, got 0", "--batch-size", "0");
        badInput(csv, data.resolve("nowhere").toString(), "--data-dir", data.resolve("nowhere").toString());

        Path garbage = dir.resolve("garbage.safetensors");
        Files.write(garbage, "this is not a safetensors file".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        badInput(csv, garbage.toString(), "--checkpoint", garbage.toString());

        Path truncated = dir.resolve("truncated.safetensors");
        byte[] whole = Files.readAllBytes(Path.of(checkpoint));
        Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length - 100));
        badInput(csv, truncated.toString(), "--checkpoint", truncated.toString());

        // A checkpoint of another model, and one for another number of classes: the keys are named.
        badInput(csv, "does not fit resnet20 for cifar10 (3x32x32, 10 classes)", "--model", "resnet20");
        badInput(csv, "Missing key(s): conv1.weight", "--model", "resnet20");
        badInput(csv, "classifier.weight: checkpoint [10, 4096], model [100, 4096]", "--dataset", "cifar100", "--data-dir", dir.toString());

        Cli r = Cli.run("eval", "--model", "vgg_small", "--dataset", "cifar10");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("Missing required option: '--checkpoint=FILE'"), r.err());
    }
}
