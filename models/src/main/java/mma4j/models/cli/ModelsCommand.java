package mma4j.models.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import mma4j.models.data.Datasets;
import mma4j.models.zoo.ModelZoo;
import mma4j.nn.Module;
import mma4j.nn.safetensors.Json;
import mma4j.tensor.Generator;
import mma4j.tensor.Shapes;
import mma4j.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mma4j models}: every model's parameter count and state-dict keys. The key lines have the
 * layout of PyTorch's listing (key, dtype, shape; tab-separated), so they can be compared with a
 * {@code state_dict()} printed by PyTorch.
 */
@Command(name = "models", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"List the models: name, parameter count and state-dict keys with dtypes and shapes (PyTorch's names).",
                "Checkpoints use these keys (safetensors; batch-norm's num_batches_tracked is int64, everything else float32)."})
final class ModelsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Parameters(arity = "0..*", paramLabel = "MODEL", description = "Models to list (default: all).")
    List<String> names;
    @Option(names = "--classes", paramLabel = "N", description = "Number of classes (default: the dataset's, else 100).")
    Integer classes;
    @Option(names = "--dataset", paramLabel = "D", description = "Build for this dataset's images and classes (default: 3x32x32, as CIFAR).")
    String dataset;
    @Option(names = "--summary", description = "Only the table of names and parameter counts, no keys.")
    boolean summary;
    @Option(names = "--json", description = "One JSON document: {input, classes, models: [{name, parameters, state_dict_keys, state_dict: [{key, dtype, shape}]}]}.")
    boolean json;

    /** One state-dict entry. */
    record Key(String key, String dtype, int[] shape) {}

    /** One model as built for the given input and classes (the model itself is not kept), or why it cannot be. */
    record Entry(String name, long parameters, List<Key> keys, String unavailable) {}

    @Override
    public Integer call() {
        int[] image = dataset == null ? new int[] {3, 32, 32} : Datasets.imageShape(dataset);
        int n = classes != null ? classes : dataset == null ? 100 : Datasets.numClasses(dataset);
        if (n < 1) throw new IllegalArgumentException("--classes must be >= 1, got " + n);
        List<String> wanted = names == null || names.isEmpty() ? ModelZoo.names() : names;
        for (String name : wanted) {
            if (!ModelZoo.names().contains(name)) {
                throw new IllegalArgumentException("unknown model '" + name + "'; known models: " + String.join(", ", ModelZoo.names()));
            }
        }
        ModelZoo.Spec s = new ModelZoo.Spec(image[0], image[1], n);
        PrintWriter out = spec.commandLine().getOut();
        List<Entry> entries = new ArrayList<>();
        for (String name : wanted) entries.add(build(name, s));
        if (json) out.println(Json.write(toJson(image, n, entries)));
        else printText(out, image, n, entries);
        out.flush();
        return 0;
    }

    static Entry build(String name, ModelZoo.Spec s) {
        Module m;
        try {
            m = ModelZoo.create(name, s, new Generator(0));
        } catch (IllegalArgumentException e) {
            return new Entry(name, 0, List.of(), e.getMessage()); // e.g. a ResNet for 1-channel images
        }
        List<Key> keys = new ArrayList<>();
        for (Map.Entry<String, Tensor> k : m.stateDict().entrySet()) keys.add(new Key(k.getKey(), dtype(k.getKey()), k.getValue().shape()));
        return new Entry(name, m.parameterCount(), List.copyOf(keys), null);
    }

    /** PyTorch's dtype name for a state-dict entry as checkpoints hold it. */
    static String dtype(String key) {
        return key.equals("num_batches_tracked") || key.endsWith(".num_batches_tracked") ? "int64" : "float32";
    }

    private void printText(PrintWriter out, int[] image, int n, List<Entry> entries) {
        out.printf("# models for %dx%dx%d inputs and %d classes%n", image[0], image[1], image[2], n);
        out.printf("%-18s %14s %16s%n", "model", "parameters", "state-dict keys");
        for (Entry e : entries) {
            if (e.unavailable() != null) out.printf("%-18s %s%n", e.name(), "not available: " + e.unavailable());
            else out.printf("%-18s %,14d %16d%n", e.name(), e.parameters(), e.keys().size());
        }
        if (summary) return;
        for (Entry e : entries) {
            if (e.unavailable() != null) continue;
            out.printf("%n# %s: %,d parameters; key\tdtype\tshape%n", e.name(), e.parameters());
            for (Key k : e.keys()) out.printf("%s\t%s\t%s%n", k.key(), k.dtype(), Shapes.str(k.shape()));
        }
    }

    private Map<String, Object> toJson(int[] image, int n, List<Entry> entries) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("input", image);
        doc.put("classes", n);
        List<Object> models = new ArrayList<>();
        for (Entry e : entries) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", e.name());
            if (e.unavailable() != null) {
                m.put("unavailable", e.unavailable());
            } else {
                m.put("parameters", e.parameters());
                m.put("state_dict_keys", e.keys().size());
                if (!summary) {
                    List<Object> keys = new ArrayList<>();
                    for (Key k : e.keys()) {
                        Map<String, Object> key = new LinkedHashMap<>();
                        key.put("key", k.key());
                        key.put("dtype", k.dtype());
                        key.put("shape", k.shape());
                        keys.add(key);
                    }
                    m.put("state_dict", keys);
                }
            }
            models.add(m);
        }
        doc.put("models", models);
        return doc;
    }
}
