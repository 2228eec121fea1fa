package mma4j.cuda;

import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuInit;

import jcuda.driver.JCudaDriver;

/**
 * The process-wide CUDA driver state: initialized once, devices opened on first use. There is
 * exactly one {@link CudaDevice} (one context, one stream, one allocator) per GPU however many
 * backends are created, so all work on a device is ordered on its one stream.
 */
final class CudaDriver {
    private static CudaDriver instance;
    private static Throwable failure;

    private final CudaDevice[] devices;

    private CudaDriver(int count) {
        devices = new CudaDevice[count];
    }

    /** Loads JCuda's native driver binding and calls cuInit; rethrows the first failure on every call. */
    static synchronized CudaDriver open() {
        if (instance != null) return instance;
        if (failure instanceof Error e) throw e;
        if (failure instanceof RuntimeException e) throw e;
        try {
            JCudaDriver.setExceptionsEnabled(true);
            cuInit(0);
            int[] count = new int[1];
            cuDeviceGetCount(count);
            instance = new CudaDriver(count[0]);
            return instance;
        } catch (LinkageError | RuntimeException e) {
            failure = e;
            throw e;
        }
    }

    int deviceCount() {
        return devices.length;
    }

    synchronized CudaDevice device(int index) {
        if (index < 0 || index >= devices.length) {
            throw new IllegalArgumentException("device 'cuda:" + index + "' does not exist: " + devices.length + " cuda device(s) found");
        }
        if (devices[index] == null) devices[index] = CudaDevice.open(index);
        return devices[index];
    }
}
