package mma4j.tensor;

/**
 * The SPI a device plugs in through ({@link java.util.ServiceLoader}, service
 * {@code mma4j.tensor.Backend}). The CPU backend is built in; a CUDA backend lives in the
 * cuda-kernels module so that this module never imports JCuda.
 *
 * <p>Kernels may run asynchronously on the device's stream: host reads ({@link #download})
 * synchronize, everything else may return before the work is done.
 */
public interface Backend {
    /** The device type this backend serves, e.g. "cpu" or "cuda". */
    String type();

    boolean isAvailable();

    /** Why the backend cannot run here (no driver, no device, ...); empty when available. */
    String unavailableReason();

    int deviceCount();

    Storage allocate(Device device, int floats);

    Storage upload(Device device, float[] host, int offset, int length);

    /** Copies floats to the host; waits for pending work on that storage. */
    void download(Storage storage, int offset, float[] dst, int dstOffset, int length);

    void synchronize(Device device);

    Kernels kernels();
}
