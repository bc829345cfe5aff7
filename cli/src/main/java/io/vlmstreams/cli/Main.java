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
        cli.addSubcommand(new BenchConstrainCommand());
        cli.addSubcommand(new BenchModerateCommand());
        cli.addSubcommand(new RunCommand());
        cli.addSubcommand(new ProduceCommand());
        cli.addSubcommand(new TailCommand());
        cli.addSubcommand(new SandboxCommand());
        cli.addSubcommand(new io.vlmstreams.cli.SoakCommand());
        // after the subcommands, so that it reaches them all
        cli.setExecutionExceptionHandler(Main::reportUserMistake);
        return cli;
    }

    /**
     * A wrong folder, file or setting is one {@code error:} line on stderr and exit code 2, as the
     * {@code model} commands already do; anything else is a bug and keeps its stack trace.
     */
    private static int reportUserMistake(Exception ex, CommandLine commandLine, CommandLine.ParseResult parsed) throws Exception {
        Throwable t = ex;
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        if (!(t instanceof IllegalArgumentException || t instanceof java.io.UncheckedIOException
                || t instanceof io.vlmstreams.inference.onnx.OnnxModelException)) {
            throw ex;
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        commandLine.getErr().println("error: " + message.replaceAll("\\s*\\R\\s*", " "));
        commandLine.getErr().flush();
        return 2;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
