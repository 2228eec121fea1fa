package mma4j.models.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input to {@code mma4j train} exits with 2 and one message that names the problem. */
class TrainCommandTest {
    static void assertBadInput(Cli r, String... fragments) {
        assertEquals(2, r.exitCode(), r.toString());
        for (String f : fragments) assertTrue(r.err().contains(f), "'" + f + "' missing from\n" + r.err());
    }

    @Test
    void unknownModelDatasetRegularizerAndFlag(@TempDir Path out) {
        assertBadInput(Cli.run("train", "--model", "resnet57", "--out", out.toString()), "resnet57", "resnet56");
        assertBadInput(Cli.run("train", "--dataset", "mnist-fashion", "--out", out.toString()), "mnist-fashion");
        assertBadInput(Cli.run("train", "--reg", "mmb", "--out", out.toString()), "mmb", "mma");
        assertBadInput(Cli.run("train", "--reg-layers", "middle", "--out", out.toString()), "middle");
        assertBadInput(Cli.run("train", "--epochs", "0", "--out", out.toString()), "epochs", "0");
        assertBadInput(Cli.run("train", "--lr", "-1", "--out", out.toString()), "learning rate", "-1");
        assertBadInput(Cli.run("train", "--bogus"), "--bogus");
        assertBadInput(Cli.run("train", "--epochs", "many"), "many");
    }

    @Test
    void missingDataDirectoryAndCorruptFiles(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nowhere");
        assertBadInput(Cli.run("train", "--dataset", "cifar10", "--data-dir", missing.toString(), "--out", dir.resolve("o1").toString()), "nowhere");
        Path cifar = Files.createDirectories(dir.resolve("cifar"));
        for (int b = 1; b <= 5; b++) Files.write(cifar.resolve("data_batch_" + b + ".bin"), new byte[3073 * 2]);
        Files.write(cifar.resolve("test_batch.bin"), new byte[3073 + 100]); // not a whole number of records
        assertBadInput(Cli.run("train", "--model", "vgg_small", "--dataset", "cifar10", "--data-dir", cifar.toString(), "--out", dir.resolve("o2").toString()),
                "test_batch.bin");
        Path fm = Files.createDirectories(dir.resolve("fm"));
        Files.write(fm.resolve("train-images-idx3-ubyte"), new byte[] {0, 0, 8, 3, 0, 0, 0, 9}); // truncated header
        Files.write(fm.resolve("train-labels-idx1-ubyte"), new byte[] {0, 0, 8, 1, 0, 0, 0, 0});
        Files.write(fm.resolve("t10k-images-idx3-ubyte"), new byte[] {0, 0, 8, 3, 0, 0, 0, 0, 0, 0, 0, 28, 0, 0, 0, 28});
        Files.write(fm.resolve("t10k-labels-idx1-ubyte"), new byte[] {0, 0, 8, 1, 0, 0, 0, 0});
        assertBadInput(Cli.run("train", "--data-dir", fm.toString(), "--out", dir.resolve("o3").toString()), "train-images-idx3-ubyte");
    }

    @Test
    void resumeFromADirectoryWithoutACheckpoint(@TempDir Path dir) throws Exception {
        Path cifar = Files.createDirectories(dir.resolve("cifar"));
        for (int b = 1; b <= 5; b++) Files.write(cifar.resolve("data_batch_" + b + ".bin"), new byte[3073 * 2]);
        Files.write(cifar.resolve("test_batch.bin"), new byte[3073 * 2]);
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertBadInput(Cli.run("train", "--model", "vgg_small", "--dataset", "cifar10", "--data-dir", cifar.toString(), "--resume", empty.toString()),
                "state.json");
    }
}
