package io.vlmstreams.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line that runs {@code ./vlm-streams ARGS} as a child JVM on the test classpath. */
final class ChildCli {

    private ChildCli() {
    }

    static List<String> command(String... args) {
        return command(List.of(), args);
    }

    /** With {@code jvmArgs} ({@code -Dkey=value} ...) before the main class. */
    static List<String> command(List<String> jvmArgs, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m"));
        command.addAll(jvmArgs);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        return command;
    }
}
