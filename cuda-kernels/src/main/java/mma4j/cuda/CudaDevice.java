package mma4j.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.CudaException;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import mma4j.tensor.Device;

/**
 * One GPU: its primary context, the one stream every kernel and allocation of this device is
 * ordered on, the caching allocator, and the PTX modules loaded so far.
 *
 * <p>The stream is a blocking stream (CU_STREAM_DEFAULT), so the plain synchronous copies that
 * upload and download use (issued on the legacy default stream) wait for the kernels before
 * them, and kernels after them wait for the copies.
 */
final class CudaDevice {
    static final int BLOCK = 256;

    final int index;
    final Device id;
    final String name;
    final int multiprocessors;
    final long totalBytes;
    final CudaAllocator allocator;
    private final CUcontext context;
    private final CUstream stream;
    private final Map<String, CUmodule> modules = new ConcurrentHashMap<>();
    private final Map<Kernel, CUfunction> functions = new ConcurrentHashMap<>();

    private CudaDevice(int index, CUcontext context, CUstream stream, String name, int multiprocessors, long totalBytes) {
        this.index = index;
        this.id = new Device("cuda", index);
        this.context = context;
        this.stream = stream;
        this.name = name;
        this.multiprocessors = multiprocessors;
        this.totalBytes = totalBytes;
        this.allocator = new CudaAllocator(this);
    }

    static CudaDevice open(int index) {
        CUdevice dev = new CUdevice();
        cuDeviceGet(dev, index);
        CUcontext ctx = new CUcontext();
        cuDevicePrimaryCtxRetain(ctx, dev);
        cuCtxSetCurrent(ctx);
        CUstream stream = new CUstream();
        cuStreamCreate(stream, CUstream_flags.CU_STREAM_DEFAULT);
        byte[] nameBytes = new byte[256];
        cuDeviceGetName(nameBytes, nameBytes.length, dev);
        int len = 0;
        while (len < nameBytes.length && nameBytes[len] != 0) len++;
        int[] sms = new int[1];
        cuDeviceGetAttribute(sms, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, dev);
        long[] total = new long[1];
        cuDeviceTotalMem(total, dev);
        return new CudaDevice(index, ctx, stream, new String(nameBytes, 0, len, StandardCharsets.US_ASCII), sms[0], total[0]);
    }

    /** Makes this device's context current on the calling thread (cheap; every entry point calls it). */
    void enter() {
        cuCtxSetCurrent(context);
    }

    CUstream stream() {
        return stream;
    }

    void synchronize() {
        enter();
        try {
            cuStreamSynchronize(stream);
        } catch (CudaException e) {
            throw new IllegalStateException("cuda: a kernel on " + id + " failed (reported at synchronize): " + e.getMessage(), e);
        }
    }

    private CUfunction function(Kernel k) {
        return functions.computeIfAbsent(k, kk -> {
            CUmodule module = modules.computeIfAbsent(kk.module, m -> {
                CUmodule mod = new CUmodule();
                cuModuleLoadData(mod, Ptx.image(m));
                return mod;
            });
            CUfunction f = new CUfunction();
            cuModuleGetFunction(f, module, kk.entry);
            return f;
        });
    }

    /** Launches on this device's stream; returns before the kernel runs. */
    void launch(Kernel k, int gridX, int gridY, int gridZ, int block, Args args) {
        enter();
        try {
            cuLaunchKernel(function(k), gridX, gridY, gridZ, block, 1, 1, 0, stream, args.build(), null);
        } catch (CudaException e) {
            throw new IllegalStateException("cuda: launching " + k.entry + " on " + id + " (grid " + gridX + "x" + gridY + "x" + gridZ
                    + ", block " + block + ") failed: " + e.getMessage(), e);
        }
    }

    /** One thread per element of [0, n), grid-stride beyond a few waves. */
    void launch1d(Kernel k, long n, Args args) {
        if (n <= 0) return;
        launch(k, grid(n, BLOCK), 1, 1, BLOCK, args);
    }

    /** Blocks for n items of blockSize threads each, capped at 32 waves (kernels loop beyond). */
    int grid(long n, int blockSize) {
        long blocks = (n + blockSize - 1) / blockSize;
        return (int) Math.max(1, Math.min(blocks, Math.max(1, multiprocessors) * 32L));
    }

    @Override
    public String toString() {
        return id + " (" + name + ", " + multiprocessors + " SMs, " + (totalBytes >> 20) + " MiB)";
    }
}
