package mma4j.tensor.cpu;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed pool of worker threads shared by all kernels. Its size comes from the system property
 * {@code mma4j.threads}, else env {@code MMA4J_THREADS}, else the core count. Work is split into
 * contiguous chunks by index only, never by timing, so results are bitwise reproducible for a
 * given thread count.
 */
public final class Parallel {
    /** Work per task below which splitting costs more than it saves (in "element operations"). */
    public static final long GRAIN = 1 << 15;

    private static volatile int threads = threadsFrom(System.getProperty("mma4j.threads"), System.getenv("MMA4J_THREADS"),
            Runtime.getRuntime().availableProcessors());
    private static volatile long grain = GRAIN;
    private static volatile ExecutorService pool;
    /** Set while the calling thread runs its own share of a parallel loop (see {@link #isWorker}). */
    private static final ThreadLocal<Boolean> IN_REGION = ThreadLocal.withInitial(() -> false);

    private Parallel() {}

    /**
     * The pool size the settings ask for: the property wins over the environment variable, and
     * with neither the core count is used. A value that is not a positive integer is an error.
     */
    static int threadsFrom(String property, String env, int cores) {
        String v = property != null && !property.isBlank() ? property : env;
        if (v != null && !v.isBlank()) {
            try {
                int t = Integer.parseInt(v.trim());
                if (t >= 1) return t;
            } catch (NumberFormatException ignored) {
                // fall through to the error below
            }
            throw new IllegalArgumentException("mma4j.threads / MMA4J_THREADS must be a positive integer, got '" + v + "'");
        }
        return Math.max(1, cores);
    }

    public static int threads() {
        return threads;
    }

    /** Sets the pool size (e.g. from --threads); the pool is rebuilt lazily. */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be >= 1, got " + n);
        if (n == threads) return;
        threads = n;
        ExecutorService old = pool;
        pool = null;
        if (old != null) old.shutdown();
    }

    /** The smallest job (in element operations) that is split over threads. */
    public static long grain() {
        return grain;
    }

    /**
     * Changes the split threshold. Tests set it to 1 so that even tiny tensors run the
     * multi-threaded path with its chunk boundaries; results never depend on it for elementwise
     * ops, and for a given (threads, grain) they are always the same.
     */
    public static void setGrain(long g) {
        if (g < 1) throw new IllegalArgumentException("grain must be >= 1, got " + g);
        grain = g;
    }

    private static ExecutorService pool() {
        ExecutorService p = pool;
        if (p == null) {
            synchronized (Parallel.class) {
                if (pool == null) {
                    AtomicInteger id = new AtomicInteger();
                    pool = Executors.newFixedThreadPool(threads, r -> {
                        Thread t = new Thread(r, "mma4j-worker-" + id.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
                }
                p = pool;
            }
        }
        return p;
    }

    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /**
     * Runs body over [0, n) in at most threads() contiguous chunks; {@code workPerItem} estimates
     * the cost of one index so that small jobs stay on the calling thread.
     */
    public static void forRange(int n, long workPerItem, RangeBody body) {
        int t = threads;
        long total = (long) n * Math.max(1, workPerItem);
        int chunks = (int) Math.min(t, Math.max(1, total / grain));
        chunks = Math.min(chunks, n);
        if (chunks <= 1 || isWorker()) {
            if (n > 0) body.run(0, n);
            return;
        }
        Future<?>[] fs = new Future<?>[chunks - 1];
        for (int c = 1; c < chunks; c++) {
            int from = (int) ((long) n * c / chunks), to = (int) ((long) n * (c + 1) / chunks);
            fs[c - 1] = pool().submit(() -> body.run(from, to));
        }
        int firstEnd = (int) ((long) n / chunks);
        runThenJoin(() -> runAsCallerShare(() -> body.run(0, firstEnd)), fs);
    }

    /** Runs task(i) for i in [0, count), each as its own unit of work. */
    public static void forEach(int count, java.util.function.IntConsumer task) {
        if (count <= 1 || threads == 1 || isWorker()) {
            for (int i = 0; i < count; i++) task.accept(i);
            return;
        }
        Future<?>[] fs = new Future<?>[count - 1];
        for (int i = 1; i < count; i++) {
            int k = i;
            fs[i - 1] = pool().submit(() -> task.accept(k));
        }
        runThenJoin(() -> runAsCallerShare(() -> task.accept(0)), fs);
    }

    /**
     * True on a pool thread, and on the calling thread while it runs its own share of a loop:
     * the other workers are busy then, so nested loops (a GEMM inside a per-image conv task)
     * must run serially rather than queue behind them.
     */
    private static boolean isWorker() {
        return IN_REGION.get() || Thread.currentThread().getName().startsWith("mma4j-worker-");
    }

    private static void runAsCallerShare(Runnable r) {
        IN_REGION.set(true);
        try {
            r.run();
        } finally {
            IN_REGION.set(false);
        }
    }

    /** Runs the caller's share, then waits for every worker even if that share threw. */
    private static void runThenJoin(Runnable own, Future<?>[] fs) {
        try {
            own.run();
        } catch (RuntimeException | Error e) {
            try {
                join(fs);
            } catch (RuntimeException ignored) {
                // the caller's own failure is the one reported
            }
            throw e;
        }
        join(fs);
    }

    private static void join(Future<?>[] fs) {
        RuntimeException first = null;
        for (Future<?> f : fs) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable c = e.getCause();
                if (first == null) first = c instanceof RuntimeException re ? re : new RuntimeException(c);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (first == null) first = new RuntimeException("interrupted while waiting for kernel workers", e);
            }
        }
        if (first != null) throw first;
    }
}
