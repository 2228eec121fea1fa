package mma4j.cuda;

import static mma4j.cuda.CudaTestSupport.CUDA;
import static mma4j.cuda.CudaTestSupport.backend;
import static mma4j.cuda.CudaTestSupport.gpu;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import mma4j.tensor.Device;
import mma4j.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Device memory ownership and the errors around it. Skips without a GPU. */
class CudaMemoryTest {

    @BeforeEach
    void gpuPresent() {
        CudaTestSupport.assumeGpu();
    }

    @Test
    void closeGivesMemoryBackAtOnceAndIsIdempotent() {
        CudaBackend b = backend();
        long before = b.memoryInUse(CUDA);
        Tensor t = Tensor.empty(CUDA, 1000, 1000);
        assertTrue(b.memoryInUse(CUDA) >= before + 4_000_000L, "allocation not counted");
        t.storage().close();
        assertEquals(before, b.memoryInUse(CUDA));
        t.storage().close();
        assertEquals(before, b.memoryInUse(CUDA));
    }

    @Test
    void useAfterCloseIsALoudError() {
        Tensor t = gpu(Tensor.vector(1f, 2f));
        t.storage().close();
        IllegalStateException e = assertThrows(IllegalStateException.class, t::toArray);
        assertTrue(e.getMessage().contains("after close()"), e.getMessage());
    }

    @Test
    void newDeviceTensorsStartAtZeroLikeCpuOnes() {
        Tensor scratch = gpu(Tensor.full(7f, 64, 64));
        scratch.storage().close();  // its block returns to the cache holding 7s
        Tensor fresh = Tensor.empty(CUDA, 64, 64);
        for (float v : fresh.toArray()) assertEquals(0f, v);
    }

    @Test
    void roundTripAndEmptyTensors() {
        float[] values = {1.5f, -2f, 3.25f, Float.NaN, Float.NEGATIVE_INFINITY, -0f};
        assertArrayEquals(values, gpu(Tensor.of(values, 2, 3)).toArray());
        assertEquals(0, gpu(Tensor.zeros(0, 4)).toArray().length);
        Tensor slice = gpu(Tensor.arange(10)).narrow(0, 3, 4);
        assertArrayEquals(new float[] {3, 4, 5, 6}, slice.toArray());
    }

    @Test
    void devicesMustMatchAndExist() {
        Tensor a = gpu(Tensor.vector(1f, 2f));
        IllegalArgumentException mixed = assertThrows(IllegalArgumentException.class, () -> a.add(Tensor.vector(1f, 2f)));
        assertTrue(mixed.getMessage().contains("different devices"), mixed.getMessage());
        IllegalArgumentException cpuInCuda = assertThrows(IllegalArgumentException.class,
                () -> backend().kernels().fill(Tensor.zeros(2), 1f));
        assertTrue(cpuInCuda.getMessage().contains("reached the CUDA kernels"), cpuInCuda.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(2).to(new Device(CUDA.type(), 999)));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
    }

    @Test
    void nearestCosineRejectsBadShapes() {
        Tensor w = gpu(Tensor.zeros(1, 4)), one = gpu(Tensor.zeros(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.kernels().nearestCosine(w, one, one));
        assertTrue(e.getMessage().contains("n >= 2"), e.getMessage());
    }
}
