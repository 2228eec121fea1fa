package mma4j.models.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import mma4j.nn.safetensors.Json;
import mma4j.nn.safetensors.SafeTensors;
import mma4j.tensor.Tensor;

/**
 * A training checkpoint in three files: checkpoint.safetensors (the model's state dict, PyTorch
 * key names), optimizer.safetensors (momentum buffers) and state.json (epoch, optimizer scalars,
 * schedule, generator and loader state). Each is written to a temporary file and renamed;
 * state.json goes last and names the epoch the other two were written for, so a crash in
 * between is detected on resume instead of silently mixing epochs.
 */
public final class Checkpoint {
    public static final String MODEL = "checkpoint.safetensors", OPTIMIZER = "optimizer.safetensors", STATE = "state.json";

    private Checkpoint() {}

    public static void save(Path dir, Map<String, Tensor> model, Map<String, Tensor> optimizerTensors, Map<String, Object> state) throws IOException {
        Files.createDirectories(dir);
        String epoch = String.valueOf(state.get("epoch"));
        writeAtomically(dir.resolve(MODEL), tmp -> SafeTensors.save(tmp, model, Map.of("epoch", epoch, "format", "pt")));
        writeAtomically(dir.resolve(OPTIMIZER), tmp -> SafeTensors.save(tmp, optimizerTensors, Map.of("epoch", epoch)));
        writeAtomically(dir.resolve(STATE), tmp -> Files.writeString(tmp, Json.write(state), StandardCharsets.UTF_8));
    }

    interface Writer {
        void write(Path tmp) throws IOException;
    }

    private static void writeAtomically(Path target, Writer w) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        w.write(tmp);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** What a resumed run reads back. */
    public record Loaded(Map<String, Tensor> model, Map<String, Tensor> optimizer, Map<String, Object> state) {}

    @SuppressWarnings("unchecked")
    public static Loaded load(Path dir) throws IOException {
        Path st = dir.resolve(STATE);
        if (!Files.isRegularFile(st)) {
            throw new IllegalArgumentException("--resume " + dir + ": no " + STATE + " there; point it at the --out directory of an earlier run");
        }
        Map<String, Object> state = new LinkedHashMap<>((Map<String, Object>) Json.parse(Files.readString(st, StandardCharsets.UTF_8)));
        String epoch = String.valueOf(state.get("epoch"));
        SafeTensors.Contents model = SafeTensors.read(dir.resolve(MODEL));
        SafeTensors.Contents opt = SafeTensors.read(dir.resolve(OPTIMIZER));
        for (var c : Map.of(MODEL, model, OPTIMIZER, opt).entrySet()) {
            String e = c.getValue().metadata().get("epoch");
            if (!epoch.equals(e)) {
                throw new IllegalArgumentException("--resume " + dir + ": " + c.getKey() + " was written for epoch " + e + " but " + STATE
                        + " says epoch " + epoch + " (an interrupted save?)");
            }
        }
        return new Loaded(model.tensors(), opt.tensors(), state);
    }
}
