package mma4j.tensor.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The worker threads of {@link Parallel}'s fast path: one task slot per worker, and waits that
 * spin for a few tens of microseconds before parking. A training step runs about 500 parallel
 * regions, many of them a few hundred microseconds long; waking a parked thread (and, at the
 * end, the parked caller) costs 10-30 microseconds on this kind of VM, which a short spin
 * avoids when regions follow each other closely, as OpenMP's spin-wait does. One region at a
 * time: a second thread that finds the crew busy falls back to the executor.
 */
final class Crew {
    /**
     * How long a worker (or the waiting caller) spins before it parks: system property
     * {@code mma4j.spin.us} in microseconds (default 50; 0 parks at once, which leaves the cores
     * to other jobs on a shared machine at the price of slower hand-offs).
     */
    private static final long SPIN_NANOS = spinNanos(System.getProperty("mma4j.spin.us"));

    private final Worker[] workers;
    private final ReentrantLock inUse = new ReentrantLock();

    /** The spin in nanoseconds for a property value (microseconds, a whole number >= 0; unset: 50). */
    static long spinNanos(String micros) {
        if (micros == null || micros.isBlank()) return 50_000;
        try {
            long us = Long.parseLong(micros.trim());
            if (us >= 0 && us <= 1_000_000) return us * 1000;
        } catch (NumberFormatException ignored) {
            // fall through to the error below
        }
        throw new IllegalArgumentException("mma4j.spin.us must be a whole number of microseconds from 0 to 1000000, got '" + micros + "'");
    }

    Crew(int size, String namePrefix, AtomicInteger ids) {
        workers = new Worker[size];
        for (int i = 0; i < size; i++) {
            workers[i] = new Worker(namePrefix + ids.incrementAndGet());
            workers[i].start();
        }
    }

    int size() {
        return workers.length;
    }

    /**
     * Runs {@code own} on the calling thread and {@code tasks[i]} on worker i, and returns when
     * all have finished. Returns false, running nothing, when another region holds the crew or
     * there are more tasks than workers. The caller's own failure is rethrown first, then the
     * first worker failure in task order.
     */
    boolean run(Runnable own, Runnable[] tasks) {
        if (tasks.length > workers.length || !inUse.tryLock()) return false;
        try {
            Region region = new Region(Thread.currentThread(), tasks.length);
            for (int i = 0; i < tasks.length; i++) workers[i].post(region, i, tasks[i]);
            Throwable mine = null;
            try {
                own.run();
            } catch (RuntimeException | Error e) {
                mine = e;
            }
            region.await();
            if (mine instanceof RuntimeException re) throw re;
            if (mine instanceof Error err) throw err;
            region.rethrow();
            return true;
        } finally {
            inUse.unlock();
        }
    }

    void shutdown() {
        for (Worker w : workers) w.retire();
    }

    /** One parallel region: how many worker tasks are still running, and their failures. */
    private static final class Region {
        private final Thread caller;
        private final AtomicInteger pending;
        private final Throwable[] failures;
        private volatile boolean callerParked;

        Region(Thread caller, int tasks) {
            this.caller = caller;
            this.pending = new AtomicInteger(tasks);
            this.failures = new Throwable[tasks];
        }

        void done(int task, Throwable failure) {
            failures[task] = failure; // published by the decrement below
            if (pending.decrementAndGet() == 0 && callerParked) LockSupport.unpark(caller);
        }

        void await() {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (pending.get() > 0) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                    continue;
                }
                // Dekker-style: set the flag, then re-check; the last worker decrements, then reads the flag.
                callerParked = true;
                if (pending.get() > 0) LockSupport.park(this);
                callerParked = false;
            }
        }

        void rethrow() {
            for (Throwable t : failures) {
                if (t instanceof RuntimeException re) throw re;
                if (t instanceof Error e) throw e;
                if (t != null) throw new RuntimeException(t);
            }
        }
    }

    private record Job(Region region, int index, Runnable task) {}

    private static final class Worker extends Thread {
        private final AtomicReference<Job> slot = new AtomicReference<>();
        private volatile boolean parked, stopped;

        Worker(String name) {
            super(name);
            setDaemon(true);
        }

        void post(Region region, int index, Runnable task) {
            slot.set(new Job(region, index, task));
            if (parked) LockSupport.unpark(this);
        }

        void retire() {
            stopped = true;
            LockSupport.unpark(this);
        }

        @Override
        public void run() {
            for (Job job; (job = take()) != null; ) {
                Throwable failure = null;
                try {
                    job.task().run();
                } catch (Throwable t) {
                    failure = t;
                }
                job.region().done(job.index(), failure);
            }
        }

        /** The next job, spinning briefly and then parking; null once stopped. */
        private Job take() {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (true) {
                Job job = slot.getAndSet(null);
                if (job != null) return job;
                if (stopped) return null;
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                    continue;
                }
                parked = true;
                job = slot.getAndSet(null);
                if (job == null && !stopped) LockSupport.park(this);
                parked = false;
                if (job != null) return job;
                spinUntil = System.nanoTime() + SPIN_NANOS;
            }
        }
    }
}
