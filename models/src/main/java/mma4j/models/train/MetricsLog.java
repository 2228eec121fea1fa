package mma4j.models.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mma4j.nn.safetensors.Json;

/** out/metrics.jsonl: one JSON object per finished epoch, appended and flushed as it happens. */
public final class MetricsLog {
    private final Path file;

    public MetricsLog(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    public void append(Map<String, Object> record) throws IOException {
        Files.writeString(file, Json.write(record) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Drops records of epochs after {@code lastEpoch} (a resumed run rewrites them). */
    public void truncateAfter(int lastEpoch) throws IOException {
        if (!Files.exists(file)) return;
        StringBuilder keep = new StringBuilder();
        for (Map<String, Object> r : read()) {
            if (((Number) r.get("epoch")).intValue() <= lastEpoch) keep.append(Json.write(r)).append('\n');
        }
        Files.writeString(file, keep.toString(), StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> read() throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        if (!Files.exists(file)) return out;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) out.add(new LinkedHashMap<>((Map<String, Object>) Json.parse(line)));
        }
        return out;
    }
}
