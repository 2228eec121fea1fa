package mma4j.nn.schedule;

import java.util.Map;

/** A learning-rate schedule whose progress can be saved with a checkpoint and restored. */
public interface Schedule {
    /** The learning rate of each parameter group after the latest step. */
    double[] lastLr();

    /** Everything the schedule's future depends on, as named numbers (for JSON). */
    Map<String, Double> state();

    /**
     * Restores {@link #state()} into a schedule built with the same arguments. Like PyTorch's
     * scheduler.load_state_dict it does not touch the optimizer: restore the optimizer's own
     * state (which holds the current learning rates) too.
     */
    void loadState(Map<String, Double> state);
}
