package mma4j.models.cli;

import java.util.concurrent.Callable;
import mma4j.nn.tammes.Table1;
import mma4j.nn.tammes.TammesLoss;
import mma4j.nn.tammes.TammesResult;
import mma4j.nn.tammes.TammesSolver;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

/** {@code mma4j tammes}: spread N points on the unit sphere in D dimensions (the paper's Table 1). */
@Command(name = "tammes", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The Tammes problem: place --points unit vectors in --dim dimensions as far apart as possible and print",
                "the smallest pairwise angle. --table1 reruns every row of the paper's Table 1 for every loss."})
final class TammesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--dim", description = "Dimension d.")
    Integer dim;
    @Option(names = "--points", description = "Number of points n.")
    Integer points;
    @Option(names = "--loss", description = "mma, cosine, riesz (s=2) or log; default: ${DEFAULT-VALUE}.", defaultValue = "mma")
    String loss;
    @Option(names = "--solver", description = "paper (the paper's SGD recipe) or best (goes further on the smallest angle; "
            + "mma only). Default: best for mma, paper for the other losses.")
    String solver;
    @Option(names = "--iterations", description = "Optimizer steps (paper: 10000).")
    Integer iterations;
    @Option(names = "--seed", description = "Random seed; default: ${DEFAULT-VALUE}.", defaultValue = "0")
    long seed;
    @Option(names = "--json", description = "One JSON object (dim, points, loss, solver, min_angle_deg, seconds).")
    boolean json;
    @Option(names = "--table1", description = "Rerun the paper's Table 1: every row, every loss, ours beside the paper's and the best known.")
    boolean table1;

    @Override
    public Integer call() {
        if (table1) {
            if (dim != null || points != null) throw new IllegalArgumentException("--table1 runs the paper's rows; leave out --dim and --points");
            Table1 t = Table1.run();
            spec.commandLine().getOut().print(json ? t.toJson() + "\n" : t.toTable());
            return 0;
        }
        if (dim == null || points == null) throw new IllegalArgumentException("give --dim and --points (or --table1)");
        TammesLoss l = TammesLoss.parse(loss);
        TammesSolver.Method m = solver != null ? TammesSolver.Method.parse(solver) : l == TammesLoss.MMA ? TammesSolver.Method.BEST : TammesSolver.Method.PAPER;
        TammesResult r = iterations == null ? TammesSolver.solve(dim, points, l, m, seed) : TammesSolver.solve(dim, points, l, m, iterations, seed);
        spec.commandLine().getOut().println(json ? r.toJson() : r.toString());
        return 0;
    }
}
