package mma4j.models.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * OUT/steps.csv: the task loss and regularizer term of every training step
 * ({@code epoch,step,task_loss,reg_term}), appended once per finished epoch, so that a short run
 * (the one-epoch default) still has a training curve.
 */
final class StepLog {
    static final String HEADER = "epoch,step,task_loss,reg_term\n";

    record Row(int epoch, int step, double taskLoss, double regTerm) {}

    private StepLog() {}

    static Path file(Path out) {
        return out.resolve("steps.csv");
    }

    static void append(Path out, CharSequence lines) throws IOException {
        Path f = file(out);
        if (!Files.exists(f)) Files.writeString(f, HEADER, StandardCharsets.UTF_8);
        Files.writeString(f, lines, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    static List<Row> read(Path out) throws IOException {
        List<Row> rows = new ArrayList<>();
        Path f = file(out);
        if (!Files.exists(f)) return rows;
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.startsWith("epoch")) continue;
            String[] p = line.split(",");
            rows.add(new Row(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Double.parseDouble(p[2]), Double.parseDouble(p[3])));
        }
        return rows;
    }

    /** Drops the steps of epochs after {@code lastEpoch} (a resumed run writes them again). */
    static void truncateAfter(Path out, int lastEpoch) throws IOException {
        Path f = file(out);
        if (!Files.exists(f)) return;
        StringBuilder keep = new StringBuilder(HEADER);
        for (Row r : read(out)) {
            if (r.epoch() <= lastEpoch) keep.append(r.epoch()).append(',').append(r.step()).append(',').append((float) r.taskLoss()).append(',').append((float) r.regTerm()).append('\n');
        }
        Files.writeString(f, keep.toString(), StandardCharsets.UTF_8);
    }
}
