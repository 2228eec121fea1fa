package mma4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jcuda.CudaException;
import mma4j.tensor.Backend;
import mma4j.tensor.Backends;
import mma4j.tensor.Device;
import mma4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Runs on every machine: with or without a GPU the backend must say clearly where it stands. */
class CudaAvailabilityTest {

    @Test
    void serviceLoaderFindsTheBackendAndItReportsConsistently() {
        Backend b = Backends.find("cuda");
        assertInstanceOf(CudaBackend.class, b, "META-INF/services/mma4j.tensor.Backend must register CudaBackend");
        if (Boolean.getBoolean("mma4j.cuda.require")) {
            assertTrue(b.isAvailable(), "-Dmma4j.cuda.require=true but CUDA is unavailable: " + b.unavailableReason());
        }
        if (b.isAvailable()) {
            assertEquals("", b.unavailableReason());
            assertTrue(b.deviceCount() >= 1);
        } else {
            assertFalse(b.unavailableReason().isBlank(), "an unavailable backend must say why");
            assertEquals(0, b.deviceCount());
            System.out.println("CUDA unavailable here: " + b.unavailableReason());
        }
    }

    @Test
    void movingATensorToCudaWithoutAGpuNamesTheReason() {
        Backend b = Backends.find("cuda");
        Tensor t = Tensor.vector(1f, 2f, 3f);
        if (b.isAvailable()) {
            Tensor g = t.to(Device.parse("cuda"));
            assertEquals("cuda:0", g.device().toString());
            assertEquals(2f, g.cpu().get(1));
            g.storage().close();
        } else {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.to(Device.parse("cuda")));
            assertTrue(e.getMessage().contains("cuda:0"), e.getMessage());
            assertTrue(e.getMessage().contains(b.unavailableReason()), e.getMessage());
        }
    }

    @Test
    void missingNativeLibraryBecomesAReasonNotACrash() {
        CudaBackend b = new CudaBackend("cuda", () -> {
            throw new UnsatisfiedLinkError("libcuda.so.1: cannot open shared object file: No such file or directory");
        });
        assertFalse(b.isAvailable());
        assertEquals(0, b.deviceCount());
        assertTrue(b.unavailableReason().contains("JCuda driver binding could not load"), b.unavailableReason());
        assertTrue(b.unavailableReason().contains("libcuda.so.1"), b.unavailableReason());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.allocate(new Device("cuda", 0), 4));
        assertTrue(e.getMessage().contains("libcuda.so.1"), e.getMessage());
    }

    @Test
    void jcudasMultiAttemptLoadErrorIsCutToTheMissingLibrary() {
        String jcudaMessage = String.join("\n",
                "Error while loading native library \"JCudaDriver-12.6.0-linux-x86_64\"",
                "Operating system name: Linux",
                "---(start of nested stack traces)---",
                "java.lang.UnsatisfiedLinkError: no JCudaDriver-12.6.0-linux-x86_64 in java.library.path: /usr/lib",
                "\tat java.base/java.lang.ClassLoader.loadLibrary(ClassLoader.java:2458)",
                "java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver-12.6.0-linux-x86_64.so: libcuda.so.1: cannot open shared object file: No such file or directory",
                "---(end of nested stack traces)---");
        CudaBackend b = new CudaBackend("cuda", () -> {
            throw new UnsatisfiedLinkError(jcudaMessage);
        });
        String reason = b.unavailableReason();
        assertTrue(reason.contains("libcuda.so.1: cannot open shared object file"), reason);
        assertFalse(reason.contains("\n"), reason);
        assertFalse(reason.contains("ClassLoader"), reason);
    }

    @Test
    void driverErrorsAndMissingDevicesBecomeReasons() {
        CudaBackend failing = new CudaBackend("cuda", () -> {
            throw new CudaException("CUDA_ERROR_NO_DEVICE");
        });
        assertFalse(failing.isAvailable());
        assertTrue(failing.unavailableReason().contains("CUDA_ERROR_NO_DEVICE"), failing.unavailableReason());

        NoClassDefFoundError secondTry = new NoClassDefFoundError("Could not initialize class jcuda.driver.JCudaDriver");
        CudaBackend again = new CudaBackend("cuda", () -> {
            throw secondTry;
        });
        assertFalse(again.isAvailable());
        assertTrue(again.unavailableReason().contains("JCudaDriver"), again.unavailableReason());
    }

    @Test
    void canBeDisabledOnPurpose() {
        String old = System.getProperty("mma4j.cuda.disabled");
        System.setProperty("mma4j.cuda.disabled", "true");
        try {
            CudaBackend b = new CudaBackend();
            assertFalse(b.isAvailable());
            assertTrue(b.unavailableReason().contains("-Dmma4j.cuda.disabled=true"), b.unavailableReason());
        } finally {
            if (old == null) System.clearProperty("mma4j.cuda.disabled");
            else System.setProperty("mma4j.cuda.disabled", old);
        }
    }

    @Test
    void nonCudaDevicesAreRejectedByName() {
        CudaBackend b = new CudaBackend("cuda", () -> {
            throw new UnsatisfiedLinkError("no driver");
        });
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.allocate(Device.CPU, 4));
        assertTrue(e.getMessage().contains("'cpu'"), e.getMessage());
    }
}
