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
    /** The spinning workers of the common case (one task per worker); see {@link Crew}. */
    private static volatile Crew crew;
    private static final AtomicInteger WORKER_IDS = new AtomicInteger();
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
        Crew oldCrew = crew;
        crew = null;
        if (oldCrew != null) oldCrew.shutdown();
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
                    pool = Executors.newFixedThreadPool(threads, r -> {
                        Thread t = new Thread(r, "mma4j-worker-" + WORKER_IDS.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
                }
                p = pool;
            }
        }
        return p;
    }

    private static Crew crew() {
        Crew c = crew;
        if (c == null) {
            synchronized (Parallel.class) {
                if (crew == null) crew = new Crew(threads - 1, "mma4j-worker-", WORKER_IDS);
                c = crew;
            }
        }
        return c;
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
        Runnable[] tasks = new Runnable[chunks - 1];
        for (int c = 1; c < chunks; c++) {
            int from = (int) ((long) n * c / chunks), to = (int) ((long) n * (c + 1) / chunks);
            tasks[c - 1] = () -> body.run(from, to);
        }
        int firstEnd = (int) ((long) n / chunks);
        run(() -> runAsCallerShare(() -> body.run(0, firstEnd)), tasks);
    }

    /** Runs task(i) for i in [0, count), each as its own unit of work. */
    public static void forEach(int count, java.util.function.IntConsumer task) {
        if (count <= 1 || threads == 1 || isWorker()) {
            for (int i = 0; i < count; i++) task.accept(i);
            return;
        }
        Runnable[] tasks = new Runnable[count - 1];
        for (int i = 1; i < count; i++) {
            int k = i;
            tasks[i - 1] = () -> task.accept(k);
        }
        run(() -> runAsCallerShare(() -> task.accept(0)), tasks);
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

    /** The caller runs own while the crew (or, when it is busy or too small, the executor) runs the tasks. */
    private static void run(Runnable own, Runnable[] tasks) {
        if (crew().run(own, tasks)) return;
        Future<?>[] fs = new Future<?>[tasks.length];
        for (int i = 0; i < tasks.length; i++) fs[i] = pool().submit(tasks[i]);
        runThenJoin(own, fs);
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
