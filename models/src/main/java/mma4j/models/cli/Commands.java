package mma4j.models.cli;

import java.util.List;

/** The subcommands, in the order --help lists them. */
final class Commands {
    private Commands() {}

    static List<Object> all() {
        return List.of(new TrainCommand(), new EvalCommand(), new AnglesCommand(), new TammesCommand(), new ModelsCommand(), new BenchCommand());
    }
}
