package mma4j.models.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import mma4j.nn.angles.AngleReport;
import mma4j.nn.safetensors.SafeTensors;
import mma4j.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

/** {@code mma4j angles}: the per-layer angle diagnostics of any safetensors state dict. */
@Command(name = "angles", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Per layer of a checkpoint (any safetensors state dict, also one saved by PyTorch): rows, the minimum pairwise angle,",
                "the mean nearest-neighbour angle, the number of pairs with cosine above 0.2 (the paper's Figure 1 count) and the MMA loss."})
final class AnglesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", required = true, description = "A .safetensors state dict, or a 'mma4j train' output directory.")
    Path checkpoint;
    @Option(names = "--json", description = "One JSON document instead of the table.")
    boolean json;
    @Option(names = "--plot", description = "Write a histogram of pairwise cosines (as the paper's Figure 1) to this PNG.")
    Path plot;
    @Option(names = "--plot-layers", split = ",", description = "Layers to overlay in the plot (default: the first).")
    List<String> plotLayers;

    @Override
    public Integer call() throws Exception {
        Path file = Files.isDirectory(checkpoint) ? checkpoint.resolve("checkpoint.safetensors") : checkpoint;
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("no checkpoint file at " + file);
        AngleReport report = AngleReport.of(inNaturalOrder(SafeTensors.load(file)));
        spec.commandLine().getOut().print(json ? report.toJson() + "\n" : report.toTable());
        if (plot != null) {
            if (plotLayers != null) report.writeHistogram(plot, plotLayers);
            else report.writeHistogram(plot);
            if (!json) spec.commandLine().getOut().println("wrote " + plot);
        }
        return 0;
    }

    /** safetensors files list keys alphabetically; show layers as models do (features.3 before features.10). */
    static Map<String, Tensor> inNaturalOrder(Map<String, Tensor> sd) {
        List<String> keys = new ArrayList<>(sd.keySet());
        keys.sort(AnglesCommand::compareNatural);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String k : keys) out.put(k, sd.get(k));
        return out;
    }

    static int compareNatural(String a, String b) {
        String[] pa = a.split("(?<=\\D)(?=\\d)|(?<=\\d)(?=\\D)"), pb = b.split("(?<=\\D)(?=\\d)|(?<=\\d)(?=\\D)");
        for (int i = 0; i < Math.min(pa.length, pb.length); i++) {
            boolean da = !pa[i].isEmpty() && Character.isDigit(pa[i].charAt(0)), db = !pb[i].isEmpty() && Character.isDigit(pb[i].charAt(0));
            int c = da && db ? new java.math.BigInteger(pa[i]).compareTo(new java.math.BigInteger(pb[i])) : pa[i].compareTo(pb[i]);
            if (c != 0) return c;
        }
        return Integer.compare(pa.length, pb.length);
    }
}
