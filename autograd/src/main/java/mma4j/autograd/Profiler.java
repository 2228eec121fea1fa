package mma4j.autograd;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the time of a step goes, per op: wall time of every Function's forward and backward,
 * recorded while a {@link #record()} scope is open on this thread (torch.autograd.profiler in
 * miniature). Costs one volatile read per op when off.
 *
 * <pre>{@code
 * try (Profiler.Session p = Profiler.record()) { trainStep(); System.out.print(p.table()); }
 * }</pre>
 */
public final class Profiler {
    private static final ThreadLocal<Session> ACTIVE = new ThreadLocal<>();
    private static volatile int sessions;

    private Profiler() {}

    public static Session record() {
        Session s = new Session();
        ACTIVE.set(s);
        sessions++;
        return s;
    }

    static long start() {
        return sessions > 0 && ACTIVE.get() != null ? System.nanoTime() : 0L;
    }

    static void stop(long t0, String op, boolean backward) {
        if (t0 == 0L) return;
        Session s = ACTIVE.get();
        if (s != null) s.add(op + (backward ? " (backward)" : " (forward)"), System.nanoTime() - t0);
    }

    /** Times accumulated per op name. */
    public static final class Session implements AutoCloseable {
        private final Map<String, long[]> byOp = new LinkedHashMap<>(); // {nanos, calls}
        private boolean closed;

        void add(String op, long nanos) {
            long[] v = byOp.computeIfAbsent(op, k -> new long[2]);
            v[0] += nanos;
            v[1]++;
        }

        /** Times outside autograd (e.g. the optimizer step) can be added by name. */
        public void addExternal(String op, long nanos) {
            add(op, nanos);
        }

        public Map<String, Double> millisByOp() {
            Map<String, Double> m = new LinkedHashMap<>();
            byOp.forEach((k, v) -> m.put(k, v[0] / 1e6));
            return m;
        }

        /** Ops sorted by total time, with calls and share of the recorded total. */
        public String table() {
            List<Map.Entry<String, long[]>> rows = new ArrayList<>(byOp.entrySet());
            rows.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
            long total = 0;
            for (var r : rows) total += r.getValue()[0];
            StringBuilder sb = new StringBuilder(String.format("%-40s %8s %10s %7s%n", "op", "calls", "ms", "share"));
            for (var r : rows) {
                sb.append(String.format("%-40s %8d %10.2f %6.1f%%%n", r.getKey(), r.getValue()[1], r.getValue()[0] / 1e6,
                        100.0 * r.getValue()[0] / Math.max(total, 1)));
            }
            return sb.append(String.format("%-40s %8s %10.2f%n", "total", "", total / 1e6)).toString();
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                ACTIVE.remove();
                sessions--;
            }
        }
    }
}
