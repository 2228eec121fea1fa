package mma4j.cuda;

import mma4j.tensor.Backend;
import mma4j.tensor.Device;
import mma4j.tensor.Kernels;
import mma4j.tensor.Storage;

/**
 * Device type "cudaemu": the CUDA backend over {@link EmulatedRuntime}, registered for tests
 * only (src/test/resources/META-INF/services). Unavailable, with the reason, where g++ is missing.
 */
public final class EmulatedCudaBackend implements Backend {
    static final String TYPE = "cudaemu";
    private final CudaBackend backend = new CudaBackend(TYPE, () -> new CudaDriver(TYPE, 1, i -> EmulatedRuntime.open()));

    /** The wrapped backend (for the tests' memory accounting). */
    CudaBackend backend() {
        return backend;
    }

    @Override public String type() { return TYPE; }

    @Override
    public boolean isAvailable() {
        if (!backend.isAvailable()) return false;
        try {
            backend.device(new Device(TYPE, 0));  // builds and loads the native emulator
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public String unavailableReason() {
        try {
            backend.device(new Device(TYPE, 0));
            return "";
        } catch (RuntimeException e) {
            return e.getMessage();
        }
    }

    @Override public int deviceCount() { return isAvailable() ? 1 : 0; }
    @Override public Storage allocate(Device device, int floats) { return backend.allocate(device, floats); }
    @Override public Storage upload(Device device, float[] host, int offset, int length) { return backend.upload(device, host, offset, length); }
    @Override public void download(Storage storage, int offset, float[] dst, int dstOffset, int length) { backend.download(storage, offset, dst, dstOffset, length); }
    @Override public void synchronize(Device device) { backend.synchronize(device); }
    @Override public Kernels kernels() { return backend.kernels(); }
}
