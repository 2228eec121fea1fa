package mma4j.autograd.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The tour in docs/autodiff.md quotes what AutodiffTour prints; this keeps the two in step. */
class AutodiffTourTest {

    static String run() {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            AutodiffTour.main(new String[0]);
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void printsTheValuesTheTourWorksOut() {
        String out = run();
        for (String line : new String[] {
                "loss = sum(r) = 3.125", "r = relu(z) = [[1.625, 1.25], [0, 0.25]]", "dloss/dW = [[1, 1.5], [2, 1], [-1, 1]]",
                "dloss/db = [1, 2]", "dloss/dz = [[1, 1], [0, 1]]", "Sum -> Relu -> Add -> MatMul", "digraph autograd {"}) {
            assertTrue(out.contains(line), () -> "missing '" + line + "' in:\n" + out);
        }
    }

    @Test
    void everyLineTheExamplePrintsIsQuotedInTheTour() throws Exception {
        Path doc = Path.of("..", "docs", "autodiff.md");
        String tour = Files.readString(doc);
        for (String line : run().split("\n")) {
            if (line.isBlank()) continue;
            assertTrue(tour.contains(line), () -> doc + " does not quote the example's line '" + line + "'; rerun AutodiffTour and update the tour");
        }
    }
}
