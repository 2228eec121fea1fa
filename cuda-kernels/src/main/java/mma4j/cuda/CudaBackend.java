package mma4j.cuda;

import java.util.function.Supplier;
import mma4j.tensor.Backend;
import mma4j.tensor.Device;
import mma4j.tensor.Kernels;
import mma4j.tensor.Storage;

/**
 * The CUDA backend, found by {@link java.util.ServiceLoader} (service mma4j.tensor.Backend):
 * device memory through the JCuda driver API, kernels from the committed PTX.
 *
 * <p>Nothing touches the driver until a caller asks whether CUDA is available. If JCuda's native
 * library cannot load (no NVIDIA driver), cuInit fails, or no GPU is present, the backend says
 * so through {@link #unavailableReason()} instead of throwing; {@code -Dmma4j.cuda.disabled=true}
 * turns it off on purpose.
 */
public final class CudaBackend implements Backend {
    private final String type;
    private final Supplier<CudaDriver> opener;
    private final CudaKernels kernels = new CudaKernels();
    private volatile Status status;

    private record Status(CudaDriver driver, String reason) {}

    public CudaBackend() {
        this("cuda", CudaDriver::open);
    }

    /** For tests: another device type (the CPU emulation), or an opener that fails as a machine without CUDA does. */
    CudaBackend(String type, Supplier<CudaDriver> opener) {
        this.type = type;
        this.opener = opener;
    }

    private Status status() {
        Status s = status;
        if (s == null) {
            synchronized (this) {
                if (status == null) status = probe();
                s = status;
            }
        }
        return s;
    }

    private Status probe() {
        if (Boolean.getBoolean("mma4j.cuda.disabled")) return new Status(null, "CUDA is disabled by -Dmma4j.cuda.disabled=true");
        try {
            CudaDriver d = opener.get();
            if (d.deviceCount() == 0) return new Status(null, "the CUDA driver loaded but found no CUDA device (cuDeviceGetCount returned 0)");
            return new Status(d, "");
        } catch (LinkageError e) {
            return new Status(null, "the JCuda driver binding could not load (" + e.getClass().getSimpleName() + ": " + summary(e)
                    + "); the NVIDIA driver (libcuda.so.1) and a GPU are needed, and the PTX needs a driver for CUDA 13 or newer");
        } catch (RuntimeException e) {
            return new Status(null, "CUDA driver initialization failed (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
    }

    /**
     * JCuda's load error lists every attempt with stack traces; the line that names the missing
     * shared library (e.g. "libcuda.so.1: cannot open shared object file") is the one that helps.
     */
    static String summary(Throwable e) {
        String msg = String.valueOf(e.getMessage());
        String[] lines = msg.split("\\R");
        String best = lines[0];
        for (String line : lines) {
            if (line.contains("cannot open shared object") || line.contains("undefined symbol")) best = line;
        }
        return best.replaceFirst("^java\\.lang\\.UnsatisfiedLinkError: ", "").trim();
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public boolean isAvailable() {
        return status().driver != null;
    }

    @Override
    public String unavailableReason() {
        return status().reason;
    }

    @Override
    public int deviceCount() {
        CudaDriver d = status().driver;
        return d == null ? 0 : d.deviceCount();
    }

    CudaDevice device(Device device) {
        if (!device.type().equals(type)) throw new IllegalArgumentException(type + " backend: device '" + device + "' is not a " + type + " device");
        CudaDriver d = status().driver;
        if (d == null) throw new IllegalStateException("device '" + device + "' is not available: " + status().reason);
        return d.device(device.index());
    }

    private static CudaStorage cuda(Storage s) {
        if (s instanceof CudaStorage c) return c;
        throw new IllegalArgumentException("cuda backend: storage on " + s.device() + " is not CUDA memory");
    }

    private static void checkRange(String op, int offset, int length, int size, String what) {
        if (offset < 0 || length < 0 || (long) offset + length > size) {
            throw new IllegalArgumentException("cuda " + op + ": range [" + offset + ", " + ((long) offset + length) + ") outside " + what + " of " + size + " floats");
        }
    }

    @Override
    public Storage allocate(Device device, int floats) {
        return new CudaStorage(device(device), floats, true);
    }

    @Override
    public Storage upload(Device device, float[] host, int offset, int length) {
        checkRange("upload", offset, length, host.length, "the host array");
        CudaDevice dev = device(device);
        CudaStorage s = new CudaStorage(dev, length, false);
        if (length > 0) dev.runtime.copyToDevice(s.address(), host, offset, length);
        return s;
    }

    @Override
    public void download(Storage storage, int offset, float[] dst, int dstOffset, int length) {
        CudaStorage s = cuda(storage);
        checkRange("download", offset, length, s.size(), "the device storage");
        checkRange("download", dstOffset, length, dst.length, "the host array");
        CudaDevice dev = s.cudaDevice();
        dev.synchronize();
        if (length > 0) dev.runtime.copyToHost(s.address() + 4L * offset, dst, dstOffset, length);
    }

    @Override
    public void synchronize(Device device) {
        device(device).synchronize();
    }

    @Override
    public Kernels kernels() {
        return kernels;
    }

    /** Gives the device's cached free blocks back to the driver (as torch.cuda.empty_cache()). */
    public void emptyCache(Device device) {
        device(device).allocator.emptyCache();
    }

    /** Bytes held by live tensors on the device. */
    public long memoryInUse(Device device) {
        return device(device).allocator.inUseBytes();
    }

    /** Name, multiprocessors and memory of a device, e.g. for benchmark reports. */
    public String describe(Device device) {
        return device(device).toString();
    }
}
