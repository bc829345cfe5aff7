package io.vlmstreams.devstack.kafka;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The classpath for the broker child JVM: this JVM's own, with absolute paths since the child
 * runs in another directory.
 *
 * <p>Works for Maven/IDE classpaths and for the runnable CLI: with {@code java -jar app.jar} the
 * child gets {@code app.jar} whose manifest {@code Class-Path} names the {@code lib/} jars
 * relative to the jar itself; with {@code java -cp 'lib/*'} the launcher has already expanded
 * the wildcard (an unexpanded one is expanded here anyway).
 */
final class ChildClasspath {

    /** Classes the child must load; those loaded by a custom class loader are added explicitly. */
    private static final List<String> REQUIRED_CLASSES = List.of(
            BrokerMain.class.getName(),
            "kafka.Kafka",
            "org.apache.kafka.clients.admin.Admin",
            "scala.Option",
            "ch.qos.logback.classic.Logger",
            "org.slf4j.LoggerFactory");

    private ChildClasspath() {
    }

    static String current() {
        Set<Path> entries = new LinkedHashSet<>();
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                addEntry(entry, entries);
            }
        }
        for (String className : REQUIRED_CLASSES) {
            codeSourceOf(className).ifPresent(entries::add);
        }
        List<String> paths = new ArrayList<>();
        entries.forEach(path -> paths.add(path.toString()));
        return String.join(File.pathSeparator, paths);
    }

    private static void addEntry(String entry, Set<Path> entries) {
        if (entry.equals("*") || entry.endsWith(File.separator + "*")) {
            Path dir = Path.of(entry.substring(0, entry.length() - 1)).toAbsolutePath().normalize();
            try (DirectoryStream<Path> jars = Files.newDirectoryStream(dir, "*.{jar,JAR}")) {
                jars.forEach(jar -> entries.add(jar.toAbsolutePath().normalize()));
            } catch (IOException e) {
                // Not a readable directory: the parent JVM could not have used it either.
            }
            return;
        }
        entries.add(Path.of(entry).toAbsolutePath().normalize());
    }

    private static Optional<Path> codeSourceOf(String className) {
        try {
            Class<?> type = Class.forName(className, false, ChildClasspath.class.getClassLoader());
            CodeSource source = type.getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null || !"file".equals(source.getLocation().getProtocol())) {
                return Optional.empty();
            }
            return Optional.of(Path.of(source.getLocation().toURI()).toAbsolutePath().normalize());
        } catch (ClassNotFoundException | URISyntaxException | SecurityException | IllegalArgumentException e) {
            // Optional (logback) or not from a file: the java.class.path entries must do.
            return Optional.empty();
        }
    }
}
