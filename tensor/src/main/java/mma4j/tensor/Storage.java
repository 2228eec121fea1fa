package mma4j.tensor;

/**
 * A flat buffer of floats owned by a backend. On the CPU it wraps a {@code float[]}; on a GPU it is
 * device memory that Java cannot read directly, so every access goes through the backend.
 * The version counter lets autograd notice an in-place change to a tensor saved for backward.
 */
public interface Storage extends AutoCloseable {
    Device device();

    /** Capacity in floats. */
    int size();

    int version();

    void bumpVersion();

    /** Releases device memory now; CPU storage leaves it to the GC. Idempotent. */
    @Override
    default void close() {}
}
