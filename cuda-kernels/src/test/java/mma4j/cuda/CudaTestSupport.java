package mma4j.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import mma4j.tensor.Backend;
import mma4j.tensor.Backends;
import mma4j.tensor.Device;
import mma4j.tensor.Generator;
import mma4j.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;

/**
 * What the GPU tests share. They run on the first of: a real GPU ("cuda:0"); the CPU emulation of
 * the kernels ("cudaemu:0", needs g++; -Dmma4j.cuda.emulate=false turns it off); else they skip.
 * -Dmma4j.cuda.require=true demands the real GPU and fails instead of skipping.
 */
final class CudaTestSupport {
    static final Device CUDA = chooseDevice();

    private CudaTestSupport() {}

    private static Device chooseDevice() {
        Backend real = Backends.find("cuda");
        if (real.isAvailable() || Boolean.getBoolean("mma4j.cuda.require")) return new Device("cuda", 0);
        if (!"false".equals(System.getProperty("mma4j.cuda.emulate"))) {
            Backend emu = Backends.find(EmulatedCudaBackend.TYPE);
            if (emu != null && emu.isAvailable()) return new Device(EmulatedCudaBackend.TYPE, 0);
            if (emu != null) System.out.println("kernel emulator unavailable: " + emu.unavailableReason());
        }
        return new Device("cuda", 0);
    }

    /** The CUDA backend behind {@link #CUDA}. */
    static CudaBackend backend() {
        Backend b = Backends.find(CUDA.type());
        return b instanceof EmulatedCudaBackend e ? e.backend() : (CudaBackend) b;
    }

    /** Skips the test where neither a GPU nor the emulator is usable, unless the run demands a GPU. */
    static void assumeGpu() {
        Backend b = Backends.find(CUDA.type());
        if (Boolean.getBoolean("mma4j.cuda.require")) {
            assertTrue(b.isAvailable(), "-Dmma4j.cuda.require=true but CUDA is unavailable: " + b.unavailableReason());
        }
        Assumptions.assumeTrue(b.isAvailable(), () -> "no usable GPU: " + b.unavailableReason());
    }

    static Tensor gpu(Tensor cpu) {
        return cpu.to(CUDA);
    }

    static Tensor randn(Generator g, int... shape) {
        return Tensor.randn(g, shape);
    }

    /** |actual - expected| <= atol + rtol*|expected| everywhere (NaN matches NaN); names the worst element. */
    static void assertClose(Tensor expected, Tensor actual, double rtol, double atol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        float[] e = expected.toArray(), a = actual.toArray();
        int bad = 0, worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < e.length; i++) {
            if (Float.isNaN(e[i]) && Float.isNaN(a[i])) continue;
            double diff = Math.abs((double) a[i] - e[i]), allowed = atol + rtol * Math.abs(e[i]);
            if (!(diff <= allowed)) {
                bad++;
                double excess = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff - allowed;
                if (worst < 0 || excess > worstExcess) {
                    worst = i;
                    worstExcess = excess;
                }
            }
        }
        if (bad > 0) {
            fail(what + ": " + bad + " of " + e.length + " elements differ beyond rtol " + rtol + " atol " + atol
                    + "; worst at flat index " + worst + ": expected " + e[worst] + " got " + a[worst]);
        }
    }

    /** Bit-for-bit equality, for kernels that promise the CPU's exact rounding. */
    static void assertSameBits(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        float[] e = expected.toArray(), a = actual.toArray();
        for (int i = 0; i < e.length; i++) {
            if (Float.floatToIntBits(e[i]) != Float.floatToIntBits(a[i])) {
                fail(what + ": flat index " + i + " expected " + e[i] + " got " + a[i] + " (bitwise comparison)");
            }
        }
    }
}
