package mma4j.nn.tammes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Reruns the paper's Table 1: for each (d, n), the paper's recipe with every loss (the figure
 * is the median smallest angle over {@code seeds} seeds, since one run of SGD from random points
 * varies by a degree or more between seeds), and the best solver once; beside them the paper's
 * figures and the best-known packing. Independent runs go to {@code threads} threads; each run
 * is single-threaded and seeded, so the table does not depend on the thread count.
 */
public final class Table1 {
    /** One row of the paper's table: its figures per loss and the best known angle. */
    public record Reference(int dim, int points, double bestKnown, double mma, double cosine, double riesz, double log) {
        double paper(TammesLoss loss) {
            return switch (loss) {
                case MMA -> mma;
                case COSINE -> cosine;
                case RIESZ -> riesz;
                case LOG -> log;
            };
        }
    }

    /**
     * The paper's Table 1 (degrees). Best known: arccos(-1/(n-1)) where n = d + 1, otherwise the
     * best packings listed beside the paper's table (the more precise ones where known).
     */
    public static final List<Reference> PAPER = List.of(
            new Reference(3, 4, 109.4712, 109.5, 109.5, 109.4, 109.5),
            new Reference(3, 30, 38.5971, 38.5, 0, 34.9, 35.4),
            new Reference(3, 130, 18.5104, 17.6, 0, 12.6, 16.7),
            new Reference(4, 5, 104.4775, 104.5, 104.5, 104.5, 104.5),
            new Reference(4, 30, 54.3, 54.0, 53.7, 49.3, 48.6),
            new Reference(4, 130, 33.4, 32.0, 32.1, 27.9, 27.2),
            new Reference(4, 600, 19.8, 19.3, 0, 15.9, 13.1),
            new Reference(5, 6, 101.5370, 101.5, 101.5, 101.2, 101.5),
            new Reference(5, 30, 65.6, 65.5, 64.0, 57.1, 60.0),
            new Reference(5, 130, 43.8, 42.9, 42.5, 35.8, 35.6));

    /** Our paper-recipe figure for one loss: median, min and max over the seeds, and CPU seconds spent. */
    public record Cell(double median, double min, double max, double seconds) {}

    /** One row: the reference, our paper-recipe cells per loss, and the best solver's angle. */
    public record Row(Reference reference, Map<TammesLoss, Cell> paperRecipe, double best, double bestSeconds) {}

    private final List<Row> rows;
    private final int seeds;
    private final double seconds;
    private final int threads;

    private Table1(List<Row> rows, int seeds, int threads, double seconds) {
        this.rows = rows;
        this.seeds = seeds;
        this.threads = threads;
        this.seconds = seconds;
    }

    /** The full table: 5 seeds, seed 0 first, on 2 threads. */
    public static Table1 run() {
        return run(PAPER, 5, 0, 2);
    }

    public static Table1 run(List<Reference> which, int seeds, long firstSeed, int threads) {
        if (seeds < 1) throw new IllegalArgumentException("table1: seeds must be >= 1, got " + seeds);
        if (threads < 1) throw new IllegalArgumentException("table1: threads must be >= 1, got " + threads);
        long t0 = System.nanoTime();
        record Job(int row, TammesLoss loss, long seed, long cost) {}
        List<Job> jobs = new ArrayList<>();
        for (int r = 0; r < which.size(); r++) {
            Reference ref = which.get(r);
            long cost = (long) ref.points() * ref.points() * ref.dim();
            for (TammesLoss loss : TammesLoss.values()) for (int s = 0; s < seeds; s++) jobs.add(new Job(r, loss, firstSeed + s, cost));
            jobs.add(new Job(r, null, firstSeed, cost * 8)); // null loss: the best solver
        }
        // Longest first, so that the big rows do not start last.
        jobs.sort((a, b) -> Long.compare(b.cost(), a.cost()));
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "tammes-table1");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<TammesResult>> futures = new ArrayList<>();
            for (Job j : jobs) {
                Reference ref = which.get(j.row());
                futures.add(pool.submit(() -> j.loss() == null
                        ? TammesSolver.solve(ref.dim(), ref.points(), TammesLoss.MMA, TammesSolver.Method.BEST, j.seed())
                        : TammesSolver.solve(ref.dim(), ref.points(), j.loss(), TammesSolver.Method.PAPER, j.seed())));
            }
            List<Row> rows = new ArrayList<>();
            for (int r = 0; r < which.size(); r++) {
                Map<TammesLoss, double[]> angles = new EnumMap<>(TammesLoss.class);
                Map<TammesLoss, Double> secs = new EnumMap<>(TammesLoss.class);
                double best = Double.NaN, bestSeconds = 0;
                for (int k = 0; k < jobs.size(); k++) {
                    Job j = jobs.get(k);
                    if (j.row() != r) continue;
                    TammesResult res = futures.get(k).get();
                    if (j.loss() == null) {
                        best = res.minAngleDeg();
                        bestSeconds = res.seconds();
                    } else {
                        double[] a = angles.computeIfAbsent(j.loss(), l -> new double[0]);
                        a = Arrays.copyOf(a, a.length + 1);
                        a[a.length - 1] = res.minAngleDeg();
                        angles.put(j.loss(), a);
                        secs.merge(j.loss(), res.seconds(), Double::sum);
                    }
                }
                Map<TammesLoss, Cell> cells = new EnumMap<>(TammesLoss.class);
                for (var e : angles.entrySet()) {
                    double[] a = e.getValue().clone();
                    Arrays.sort(a);
                    double median = a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
                    cells.put(e.getKey(), new Cell(median, a[0], a[a.length - 1], secs.get(e.getKey())));
                }
                rows.add(new Row(which.get(r), cells, best, bestSeconds));
            }
            return new Table1(rows, seeds, threads, (System.nanoTime() - t0) / 1e9);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("table1 interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    public List<Row> rows() {
        return rows;
    }

    /** Wall-clock seconds of the whole run. */
    public double seconds() {
        return seconds;
    }

    /** A Markdown table: per loss "ours (paper)", then best solver vs best known. */
    public String toTable() {
        StringBuilder sb = new StringBuilder();
        sb.append("| d | n | best known | best solver | MMA ours (paper) | cosine ours (paper) | Riesz s=2 ours (paper) | log ours (paper) |\n");
        sb.append("|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            Reference ref = r.reference();
            sb.append(String.format(Locale.ROOT, "| %d | %d | %.4f | %.4f |", ref.dim(), ref.points(), ref.bestKnown(), r.best()));
            for (TammesLoss l : TammesLoss.values()) {
                Cell c = r.paperRecipe().get(l);
                sb.append(String.format(Locale.ROOT, " %.2f [%.2f, %.2f] (%.1f) |", c.median(), c.min(), c.max(), ref.paper(l)));
            }
            sb.append('\n');
        }
        sb.append(String.format(Locale.ROOT, "%nPaper recipe: median [min, max] over %d seeds; best solver: one seed. %.1f s wall on %d threads.%n",
                seeds, seconds, threads));
        return sb.toString();
    }

    public String toJson() {
        StringBuilder sb = new StringBuilder("{\"seeds\": ").append(seeds).append(", \"threads\": ").append(threads)
                .append(String.format(Locale.ROOT, ", \"seconds\": %.2f, \"rows\": [", seconds));
        for (int k = 0; k < rows.size(); k++) {
            Row r = rows.get(k);
            Reference ref = r.reference();
            if (k > 0) sb.append(", ");
            sb.append(String.format(Locale.ROOT, "{\"dim\": %d, \"points\": %d, \"best_known\": %.4f, \"best_solver\": %.4f, \"best_seconds\": %.3f",
                    ref.dim(), ref.points(), ref.bestKnown(), r.best(), r.bestSeconds()));
            for (TammesLoss l : TammesLoss.values()) {
                Cell c = r.paperRecipe().get(l);
                sb.append(String.format(Locale.ROOT, ", \"%s\": {\"ours_median\": %.4f, \"ours_min\": %.4f, \"ours_max\": %.4f, \"paper\": %.1f, \"seconds\": %.3f}",
                        l.label(), c.median(), c.min(), c.max(), ref.paper(l), c.seconds()));
            }
            sb.append('}');
        }
        return sb.append("]}").toString();
    }

    /** Runs the full table and prints it (mma4j's command line wires `mma4j tammes --table1`; this is a shortcut). */
    public static void main(String[] args) {
        Table1 t = run(PAPER, args.length > 0 ? Integer.parseInt(args[0]) : 5, 0, args.length > 1 ? Integer.parseInt(args[1]) : 2);
        System.out.println(args.length > 2 && args[2].equals("--json") ? t.toJson() : t.toTable());
    }
}
