package mma4j.cuda;

import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuInit;

import java.util.function.IntFunction;
import jcuda.driver.JCudaDriver;
import mma4j.tensor.Device;

/**
 * The devices of one kind, opened on first use. There is exactly one {@link CudaDevice} (one
 * stream, one allocator) per GPU however many backends are created, so all work on a device is
 * ordered on its one stream.
 */
final class CudaDriver {
    private static CudaDriver cuda;
    private static Throwable failure;

    private final String type;
    private final CudaDevice[] devices;
    private final IntFunction<DeviceRuntime> opener;

    CudaDriver(String type, int count, IntFunction<DeviceRuntime> opener) {
        this.type = type;
        this.devices = new CudaDevice[count];
        this.opener = opener;
    }

    /** The real GPUs: loads JCuda's native driver binding and calls cuInit; rethrows the first failure on every call. */
    static synchronized CudaDriver open() {
        if (cuda != null) return cuda;
        if (failure instanceof Error e) throw e;
        if (failure instanceof RuntimeException e) throw e;
        try {
            JCudaDriver.setExceptionsEnabled(true);
            cuInit(0);
            int[] count = new int[1];
            cuDeviceGetCount(count);
            cuda = new CudaDriver("cuda", count[0], JCudaRuntime::open);
            return cuda;
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
            throw new IllegalArgumentException("device '" + type + ":" + index + "' does not exist: " + devices.length + " " + type + " device(s) found");
        }
        if (devices[index] == null) devices[index] = new CudaDevice(new Device(type, index), opener.apply(index));
        return devices[index];
    }
}
