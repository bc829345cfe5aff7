package io.vlmstreams.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ./vlm-streams} command line. Each module contributes its commands; this class only
 * assembles them, so adding a command is one line here.
 */
@Command(name = "vlm-streams", mixinStandardHelpOptions = true, version = "vlm-streams 0.1.0",
        description = "Answers image events on Kafka with the LFM2-VL vision-language model, exactly once.")
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "On an error, print its stack trace too (as VLM_LOG_LEVEL=DEBUG does).")
    boolean verbose;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The root command with every subcommand registered. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        // subcommands: one line each
        cli.addSubcommand(new io.vlmstreams.cli.ModelCommand());
        cli.addSubcommand(new io.vlmstreams.cli.InferCommand());
        cli.addSubcommand(new io.vlmstreams.cli.BenchCommand());
        cli.addSubcommand(new BenchE2eCommand());
        cli.addSubcommand(new BenchCamerasCommand());
        cli.addSubcommand(new BenchConstrainCommand());
        cli.addSubcommand(new BenchModerateCommand());
        cli.addSubcommand(new RunCommand());
        cli.addSubcommand(new ProduceCommand());
        cli.addSubcommand(new TailCommand());
        cli.addSubcommand(new SandboxCommand());
        cli.addSubcommand(new io.vlmstreams.cli.SoakCommand());
        cli.addSubcommand(new TopicsCommand());
        // after the subcommands, so that it reaches them all
        cli.setExecutionExceptionHandler(Main::reportUserMistake);
        return cli;
    }

    /**
     * Every error is one {@code error:} line on stderr: a wrong folder, file or setting exits 2, as the
     * {@code model} commands do; anything else (a bug, or a failure the command did not foresee) exits 1.
     * The stack trace is printed only with {@code --verbose} or {@code VLM_LOG_LEVEL=DEBUG}.
     */
    private static int reportUserMistake(Exception ex, CommandLine commandLine, CommandLine.ParseResult parsed) {
        Throwable t = ex;
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException
                || t instanceof CommandLine.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        boolean mistake = t instanceof IllegalArgumentException || t instanceof java.io.UncheckedIOException
                || t instanceof io.vlmstreams.inference.onnx.OnnxModelException
                || t instanceof org.apache.kafka.common.config.ConfigException;
        java.io.PrintWriter err = commandLine.getErr();
        if (verbose(parsed)) {
            ex.printStackTrace(err);
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        message = message.replaceAll("\\s*\\R\\s*", " ");
        if (mistake) {
            err.println("error: " + message);
        } else {
            err.println("error: " + (message.startsWith(t.getClass().getSimpleName()) ? "" : t.getClass().getSimpleName() + ": ")
                    + message + (verbose(parsed) ? "" : " (--verbose prints the stack trace)"));
        }
        err.flush();
        return mistake ? 2 : 1;
    }

    /** Whether {@code --verbose} was given (to any command) or {@code VLM_LOG_LEVEL} asks for DEBUG or TRACE. */
    static boolean verbose(CommandLine.ParseResult parsed) {
        String level = System.getenv("VLM_LOG_LEVEL");
        return parsed.originalArgs().contains("--verbose")
                || level != null && (level.equalsIgnoreCase("DEBUG") || level.equalsIgnoreCase("TRACE"));
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
