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
        cli.addSubcommand(new RunCommand());
        cli.addSubcommand(new ProduceCommand());
        cli.addSubcommand(new TailCommand());
        cli.addSubcommand(new SandboxCommand());
        cli.addSubcommand(new io.vlmstreams.cli.SoakCommand());
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
