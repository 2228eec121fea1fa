package mma4j.nn.optim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import mma4j.tensor.Tensor;

/**
 * An optimizer's checkpoint as two flat maps, so that a training loop can put the tensors in a
 * safetensors file and the scalars in JSON. Keys follow PyTorch's optimizer state_dict, with
 * parameters numbered across groups in order:
 * <ul>
 * <li>{@code state.<i>.<name>}: per-parameter tensors (momentum_buffer, exp_avg, ...) and
 *     scalars (step);</li>
 * <li>{@code param_groups.<g>.lr}, {@code param_groups.<g>.initial_lr} (when a schedule set it),
 *     {@code param_groups.<g>.num_params}.</li>
 * </ul>
 * The tensors are copies, independent of the optimizer.
 */
public record OptimizerState(Map<String, Tensor> tensors, Map<String, Double> scalars) {
    public OptimizerState {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        scalars = Collections.unmodifiableMap(new LinkedHashMap<>(scalars));
    }
}
