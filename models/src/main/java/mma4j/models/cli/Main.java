package mma4j.models.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code mma4j} command line. Exit codes: 0 success, 2 bad input (with a message), 1 anything else.
 */
@Command(name = "mma4j", mixinStandardHelpOptions = true, version = "mma4j 0.1.0",
        description = "Train and study neural networks with angular (MMA) weight regularization.",
        subcommands = {CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    public static final int BAD_INPUT = 2;

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    /** Builds the command line with mma4j's error handling: bad input exits 2 with one clear line. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        for (Object sub : Commands.all()) cl.addSubcommand(sub);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            if (ex instanceof IllegalArgumentException || ex instanceof java.io.FileNotFoundException || ex instanceof java.nio.file.NoSuchFileException) {
                err.println("mma4j " + cmd.getCommandName() + ": " + messageOf(ex));
                return BAD_INPUT;
            }
            err.println("mma4j " + cmd.getCommandName() + ": " + messageOf(ex));
            ex.printStackTrace(err);
            return 1;
        });
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            cmd.getErr().println("mma4j " + cmd.getCommandName() + ": " + ex.getMessage());
            cmd.getErr().println("Try 'mma4j " + cmd.getCommandName() + " --help'.");
            return BAD_INPUT;
        });
        return cl;
    }

    private static String messageOf(Throwable t) {
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * Runs the command line on System.out and System.err and returns the exit code, with both
     * flushed: picocli's default writers flush on println only, so a table printed with print()
     * would otherwise be lost when main exits.
     */
    static int run(String... args) {
        CommandLine cl = commandLine();
        PrintWriter out = new PrintWriter(System.out, true), err = new PrintWriter(System.err, true);
        cl.setOut(out);
        cl.setErr(err);
        try {
            return cl.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }
}
