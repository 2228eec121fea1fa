package mma4j.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The worker pool: its size settings, and that every index runs exactly once on the expected threads. */
class ParallelTest {
    private int threads;
    private long grain;

    @BeforeEach
    void save() {
        threads = Parallel.threads();
        grain = Parallel.grain();
    }

    @AfterEach
    void restore() {
        Parallel.setThreads(threads);
        Parallel.setGrain(grain);
    }

    @Test
    void threadCountComesFromPropertyThenEnvThenCores() {
        assertEquals(3, Parallel.threadsFrom("3", "5", 16), "the property wins");
        assertEquals(5, Parallel.threadsFrom(null, "5", 16), "then MMA4J_THREADS");
        assertEquals(5, Parallel.threadsFrom(" ", " 5 ", 16));
        assertEquals(16, Parallel.threadsFrom(null, null, 16), "then the core count");
        assertEquals(1, Parallel.threadsFrom(null, "", 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Parallel.threadsFrom("0", null, 4));
        assertTrue(e.getMessage().contains("mma4j.threads") && e.getMessage().contains("'0'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Parallel.threadsFrom(null, "many", 4));
        assertThrows(IllegalArgumentException.class, () -> Parallel.threadsFrom("-2", null, 4));
    }

    @Test
    void spinTimeComesFromThePropertyInMicroseconds() {
        assertEquals(50_000, Crew.spinNanos(null), "unset: 50 us");
        assertEquals(50_000, Crew.spinNanos(" "));
        assertEquals(0, Crew.spinNanos("0"), "0 parks at once");
        assertEquals(200_000, Crew.spinNanos(" 200 "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Crew.spinNanos("-1"));
        assertTrue(e.getMessage().contains("mma4j.spin.us") && e.getMessage().contains("'-1'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Crew.spinNanos("fast"));
        assertThrows(IllegalArgumentException.class, () -> Crew.spinNanos("2000000"));
    }

    @Test
    void setThreadsChangesThePool() {
        Parallel.setThreads(3);
        assertEquals(3, Parallel.threads());
        Parallel.setGrain(1);
        Set<String> names = ConcurrentHashMap.newKeySet();
        Parallel.forRange(3, 1, (from, to) -> names.add(Thread.currentThread().getName()));
        assertEquals(3, names.size(), "three chunks on three threads: " + names);
        Parallel.setThreads(1);
        names.clear();
        Parallel.forRange(100, 1000, (from, to) -> names.add(Thread.currentThread().getName()));
        assertEquals(Set.of(Thread.currentThread().getName()), names, "one thread runs on the caller");
        assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
        assertThrows(IllegalArgumentException.class, () -> Parallel.setGrain(0));
    }

    @Test
    void forRangeCoversEveryIndexOnceInContiguousChunks() {
        for (int t : new int[] {1, 2, 3, 7}) {
            Parallel.setThreads(t);
            for (long g : new long[] {1, 1000, Parallel.GRAIN}) {
                Parallel.setGrain(g);
                for (int n : new int[] {0, 1, 2, 5, 64, 1001}) {
                    AtomicIntegerArray hits = new AtomicIntegerArray(n);
                    Parallel.forRange(n, 10, (from, to) -> {
                        assertTrue(from < to, "no empty chunks");
                        for (int i = from; i < to; i++) hits.incrementAndGet(i);
                    });
                    for (int i = 0; i < n; i++) assertEquals(1, hits.get(i), "index " + i + " of " + n + " with " + t + " threads");
                }
            }
        }
    }

    @Test
    void smallJobsStayOnTheCallingThread() {
        Parallel.setThreads(2);
        Parallel.setGrain(Parallel.GRAIN);
        Set<String> names = ConcurrentHashMap.newKeySet();
        Parallel.forRange(10, 10, (from, to) -> names.add(Thread.currentThread().getName()));
        assertEquals(Set.of(Thread.currentThread().getName()), names);
    }

    @Test
    void nestedCallsRunInlineAndForEachRunsEveryTask() {
        Parallel.setThreads(2);
        Parallel.setGrain(1);
        AtomicIntegerArray hits = new AtomicIntegerArray(20);
        Parallel.forEach(4, task -> Parallel.forRange(5, 1, (from, to) -> {
            for (int i = from; i < to; i++) hits.incrementAndGet(task * 5 + i);
        }));
        for (int i = 0; i < 20; i++) assertEquals(1, hits.get(i));
    }

    @Test
    void workerExceptionsReachTheCallerAfterAllChunksFinish() {
        Parallel.setThreads(2);
        Parallel.setGrain(1);
        AtomicIntegerArray done = new AtomicIntegerArray(2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.forRange(2, 1, (from, to) -> {
            if (from == 1) throw new IllegalStateException("worker chunk failed");
            done.set(0, 1);
        }));
        assertEquals("worker chunk failed", e.getMessage());
        assertEquals(1, done.get(0));
        // The caller's own chunk throwing still waits for the worker: the worker only finishes
        // after the caller has thrown (a latch orders them, no clock involved).
        java.util.concurrent.CountDownLatch callerThrew = new java.util.concurrent.CountDownLatch(1);
        IllegalStateException own = assertThrows(IllegalStateException.class, () -> Parallel.forRange(2, 1, (from, to) -> {
            if (from == 0) {
                callerThrew.countDown();
                throw new IllegalStateException("caller chunk failed");
            }
            try {
                if (!callerThrew.await(30, java.util.concurrent.TimeUnit.SECONDS)) throw new IllegalStateException("caller chunk never ran");
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            done.set(1, 1);
        }));
        assertEquals("caller chunk failed", own.getMessage());
        assertEquals(1, done.get(1), "the worker finished before forRange returned");
    }

    /** Two application threads start regions at once: one gets the spinning crew, the other the executor; both finish whole. */
    @Test
    void concurrentRegionsFromTwoThreadsEachCoverEveryIndex() throws Exception {
        Parallel.setThreads(3);
        Parallel.setGrain(1);
        int n = 3000, rounds = 200;
        AtomicIntegerArray hitsA = new AtomicIntegerArray(n), hitsB = new AtomicIntegerArray(n);
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
        Thread other = new Thread(() -> {
            try {
                start.await();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            for (int r = 0; r < rounds; r++) Parallel.forRange(n, 1, (from, to) -> { for (int i = from; i < to; i++) hitsB.incrementAndGet(i); });
        });
        other.start();
        start.await();
        for (int r = 0; r < rounds; r++) Parallel.forRange(n, 1, (from, to) -> { for (int i = from; i < to; i++) hitsA.incrementAndGet(i); });
        other.join();
        for (int i = 0; i < n; i++) {
            assertEquals(rounds, hitsA.get(i), "caller's index " + i);
            assertEquals(rounds, hitsB.get(i), "other thread's index " + i);
        }
    }

    @Test
    void resizingReplacesTheWorkersAndErrorsStillPropagate() {
        Parallel.setGrain(1);
        for (int t : new int[] {2, 4, 3}) {
            Parallel.setThreads(t);
            Set<String> names = ConcurrentHashMap.newKeySet();
            AtomicIntegerArray hits = new AtomicIntegerArray(t);
            Parallel.forRange(t, 1, (from, to) -> {
                names.add(Thread.currentThread().getName());
                for (int i = from; i < to; i++) hits.incrementAndGet(i);
            });
            for (int i = 0; i < t; i++) assertEquals(1, hits.get(i));
            assertEquals(t, names.size(), t + " threads: one chunk per thread");
            AssertionError e = assertThrows(AssertionError.class, () -> Parallel.forRange(t, 1, (from, to) -> {
                if (from == t - 1) throw new AssertionError("last chunk");
            }));
            assertEquals("last chunk", e.getMessage());
        }
    }

    @Test
    void simdFlagParsing() {
        assertTrue(Simd.flagFrom(null, null));
        assertFalse(Simd.flagFrom("false", "true"), "the property wins");
        assertFalse(Simd.flagFrom(null, "0"));
        assertFalse(Simd.flagFrom(null, "OFF"));
        assertTrue(Simd.flagFrom("on", "false"));
        assertTrue(Simd.flagFrom(" ", "1"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Simd.flagFrom("fast", null));
        assertTrue(e.getMessage().contains("mma4j.simd") && e.getMessage().contains("'fast'"), e.getMessage());
        boolean before = Simd.enabled();
        try {
            Simd.setEnabled(!before);
            assertEquals(!before, Simd.enabled());
        } finally {
            Simd.setEnabled(before);
        }
    }
}
