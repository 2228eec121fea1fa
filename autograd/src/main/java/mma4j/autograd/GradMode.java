package mma4j.autograd;

/**
 * Whether operations are recorded for backward, per thread (as in PyTorch).
 *
 * <pre>{@code
 * try (var scope = GradMode.noGrad()) {
 *     Variable y = model.forward(x);   // nothing is recorded here
 * }
 * }</pre>
 */
public final class GradMode {
    private static final ThreadLocal<int[]> DISABLED_DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private GradMode() {}

    public static boolean isEnabled() {
        return DISABLED_DEPTH.get()[0] == 0;
    }

    /** A scope in which no graph is recorded; close it (try-with-resources) to restore. */
    public static Scope noGrad() {
        int[] d = DISABLED_DEPTH.get();
        d[0]++;
        return new Scope(d);
    }

    /** Restores the grad mode that was in force when it was opened. */
    public static final class Scope implements AutoCloseable {
        private final int[] depth;
        private boolean closed;

        private Scope(int[] depth) {
            this.depth = depth;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                depth[0]--;
            }
        }
    }
}
