package mma4j.cuda;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A CPU stand-in for a GPU: the real .cu kernels compiled as C++ against src/test/emu/emu.h
 * (threads of a block as fibers, __syncthreads and shuffles as fiber switches) and called
 * through the FFM API, with "device memory" in native host memory. Everything above the driver
 * (CudaKernels, layouts, GEMM plans, chunking, argument lists) runs exactly as on a GPU, so the
 * parity tests exercise it on any machine with g++. It is slow; sizes in tests stay small.
 *
 * <p>It pretends to have {@link #MULTIPROCESSORS} multiprocessors, so grid-stride loops and
 * split-K sums are exercised at test sizes.
 */
final class EmulatedRuntime implements DeviceRuntime {
    static final int MULTIPROCESSORS = 2;
    private static final Linker LINKER = Linker.nativeLinker();
    private static EmulatedRuntime instance;
    private static RuntimeException failure;

    private final MethodHandle alloc, free, launch, error;

    private EmulatedRuntime(SymbolLookup lib) {
        alloc = handle(lib, "emu_alloc", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
        free = handle(lib, "emu_free", FunctionDescriptor.ofVoid(ValueLayout.JAVA_LONG));
        launch = handle(lib, "emu_launch", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        error = handle(lib, "emu_error", FunctionDescriptor.of(ValueLayout.ADDRESS));
    }

    private static MethodHandle handle(SymbolLookup lib, String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(lib.find(name).orElseThrow(() -> new IllegalStateException("emulator lacks " + name)), fd);
    }

    /** The emulator, building its native library first when missing or older than its sources. */
    static synchronized EmulatedRuntime open() {
        if (instance != null) return instance;
        if (failure != null) throw failure;
        try {
            Path lib = build();
            instance = new EmulatedRuntime(SymbolLookup.libraryLookup(lib, Arena.global()));
            return instance;
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        }
    }

    private static Path build() {
        Path cuda = Path.of(System.getProperty("mma4j.cuda.sources", "src/main/cuda"));
        Path emu = Path.of(System.getProperty("mma4j.cuda.emu.sources", cuda.resolve("../../test/emu").normalize().toString()));
        Path out = Path.of(System.getProperty("mma4j.cuda.emu.out", "target/emu"), "libmma4j_cuda_emu.so");
        if (!Files.isDirectory(cuda) || !Files.isDirectory(emu)) {
            throw new IllegalStateException("emulator sources not found (" + cuda.toAbsolutePath() + ", " + emu.toAbsolutePath() + ")");
        }
        try {
            List<Path> sources = new ArrayList<>();
            for (Path dir : List.of(cuda, emu)) {
                try (Stream<Path> s = Files.list(dir)) {
                    s.filter(p -> p.toString().matches(".*\\.(cu|cuh|h|cpp)$")).forEach(sources::add);
                }
            }
            FileTime newest = FileTime.fromMillis(0);
            for (Path p : sources) if (Files.getLastModifiedTime(p).compareTo(newest) > 0) newest = Files.getLastModifiedTime(p);
            if (Files.exists(out) && Files.getLastModifiedTime(out).compareTo(newest) >= 0) return out.toAbsolutePath();
            Files.createDirectories(out.getParent());
            Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
            List<String> cmd = List.of("g++", "-std=c++20", "-O1", "-fPIC", "-shared", "-ffp-contract=off", "-Wno-unknown-pragmas",
                    "-I" + cuda, "-I" + emu, "-o", tmp.toString(), emu.resolve("emu_runtime.cpp").toString(), emu.resolve("emu_kernels.cpp").toString());
            Process p;
            try {
                p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new IllegalStateException("no C++ compiler to build the kernel emulator (g++): " + e.getMessage());
            }
            String log = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("building the kernel emulator failed: " + String.join(" ", cmd) + "\n" + log);
            }
            Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return out.toAbsolutePath();
        } catch (IOException e) {
            throw new IllegalStateException("building the kernel emulator: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building the kernel emulator");
        }
    }

    private static MemorySegment at(long address, long bytes) {
        return MemorySegment.ofAddress(address).reinterpret(bytes);
    }

    @Override public String name() { return "CPU emulation of the CUDA kernels"; }
    @Override public int multiprocessors() { return MULTIPROCESSORS; }
    @Override public long totalBytes() { return 1L << 30; }

    @Override
    public long allocate(long bytes) {
        try {
            return (long) alloc.invokeExact(bytes);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public void free(long address) {
        try {
            free.invokeExact(address);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public void zero(long address, long floats) {
        at(address, 4 * floats).fill((byte) 0);
    }

    @Override
    public void copyToDevice(long address, float[] src, int srcOffset, int count) {
        MemorySegment.copy(src, srcOffset, at(address, 4L * count), ValueLayout.JAVA_FLOAT, 0, count);
    }

    @Override
    public void copyToDevice(long address, int[] src, int srcOffset, int count) {
        MemorySegment.copy(src, srcOffset, at(address, 4L * count), ValueLayout.JAVA_INT, 0, count);
    }

    @Override
    public void copyToHost(long address, float[] dst, int dstOffset, int count) {
        MemorySegment.copy(at(address, 4L * count), ValueLayout.JAVA_FLOAT, 0, dst, dstOffset, count);
    }

    @Override
    public synchronized void launch(Kernel kernel, int gridX, int gridY, int gridZ, int block, Args args) {
        try (Arena arena = Arena.ofConfined()) {
            List<Object> values = args.values();
            String kinds = args.kinds();
            MemorySegment params = arena.allocate(ValueLayout.ADDRESS, values.size());
            for (int i = 0; i < values.size(); i++) {
                Object v = values.get(i);
                MemorySegment slot = switch (kinds.charAt(i)) {
                    case 'p', 'l' -> arena.allocateFrom(ValueLayout.JAVA_LONG, (Long) v);
                    case 'i' -> arena.allocateFrom(ValueLayout.JAVA_INT, (Integer) v);
                    case 'f' -> arena.allocateFrom(ValueLayout.JAVA_FLOAT, (Float) v);
                    case 'L' -> arena.allocateFrom(ValueLayout.JAVA_INT, (int[]) v);
                    default -> throw new IllegalStateException("unknown argument kind " + kinds.charAt(i));
                };
                params.setAtIndex(ValueLayout.ADDRESS, i, slot);
            }
            int rc = (int) launch.invokeExact(arena.allocateFrom(kernel.entry), gridX, gridY, gridZ, block, params);
            if (rc != 0) {
                MemorySegment msg = (MemorySegment) error.invokeExact();
                throw new IllegalStateException("emulated " + kernel.entry + ": " + msg.reinterpret(4096).getString(0));
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override public void synchronize() {}

    @Override
    public long[] memoryInfo() {
        return new long[] {0, totalBytes()};
    }
}
