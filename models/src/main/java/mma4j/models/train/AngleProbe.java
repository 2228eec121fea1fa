package mma4j.models.train;

import java.util.LinkedHashMap;
import java.util.Map;
import mma4j.nn.Module;
import mma4j.nn.angles.AngleReport;
import mma4j.nn.angles.LayerAngles;
import mma4j.nn.regularizers.LayerRegularization;
import mma4j.tensor.Tensor;

/** The angle diagnostics of a model's Conv2d/Linear weights, for the per-epoch log and the final table. */
final class AngleProbe {
    private AngleProbe() {}

    static AngleReport report(Module model) {
        Map<String, Tensor> weights = new LinkedHashMap<>();
        for (LayerRegularization.Weight w : LayerRegularization.weightsOf(model)) weights.put(w.name(), w.weight().data().cpu());
        return AngleReport.of(weights);
    }

    static Map<String, Double> minAnglesDeg(AngleReport r) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (LayerAngles l : r.rows()) out.put(l.name(), l.minAngleDeg());
        return out;
    }
}
