package io.vlmstreams.devstack.registry;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.vlmstreams.devstack.Fixtures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Apicurio Registry 2.4.2.Final, a schema registry nobody here wrote, serving the Confluent API at
 * {@code /apis/ccompat/v7}: a Quarkus jar packaged from Maven Central artifacts
 * ({@code devstack/apicurio-runner}, built on first use with the Maven running the build) and run in
 * a child JVM on a free loopback port, in-memory storage. For interop tests only (2023 release, loopback).
 */
public final class ApicurioRegistry implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ApicurioRegistry.class);
    private static final Pattern LISTENING = Pattern.compile("Listening on: (http://[0-9.]+:[0-9]+)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);

    private final Process process;
    private final String base;
    private final Duration buildTime;
    private final Duration startTime;

    private ApicurioRegistry(Process process, String base, Duration buildTime, Duration startTime) {
        this.process = process;
        this.base = base;
        this.buildTime = buildTime;
        this.startTime = startTime;
    }

    /** Packages the runner if it is not yet built, starts it and returns once {@code /health/ready} answers 200. */
    public static ApicurioRegistry start() {
        Path runner = runnerDir();
        long t0 = System.nanoTime();
        Path jar = runner.resolve("target/apicurio-runner-1-runner.jar");
        if (!Files.isRegularFile(jar)) {
            build(runner);
        }
        Duration built = Duration.ofNanos(System.nanoTime() - t0);
        long t1 = System.nanoTime();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p;
        try {
            p = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Dquarkus.http.host=127.0.0.1",
                    "-Dquarkus.http.port=0", "-jar", jar.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Apicurio Registry", e);
        }
        try {
            String base = awaitListening(p);
            awaitReady(base, p);
            Duration started = Duration.ofNanos(System.nanoTime() - t1);
            log.info("Apicurio Registry at {} (build {} ms, start {} ms)", base, built.toMillis(), started.toMillis());
            return new ApicurioRegistry(p, base, built, started);
        } catch (RuntimeException e) {
            p.destroyForcibly();
            throw e;
        }
    }

    /** The Confluent-compatible API, e.g. {@code http://127.0.0.1:41234/apis/ccompat/v7}: the {@code schema.registry.url}. */
    public String url() {
        return base + "/apis/ccompat/v7";
    }

    /** How long packaging the runner took this time (near zero when it was already built). */
    public Duration buildTime() {
        return buildTime;
    }

    /** From launching the JVM to {@code /health/ready}. */
    public Duration startTime() {
        return startTime;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private static Path runnerDir() {
        String project = System.getProperty("vlm.project.dir");
        Path root = project != null ? Path.of(project) : Fixtures.dir().getParent();
        return root.resolve("devstack/apicurio-runner");
    }

    /** Offline first (the local repository usually holds everything once built), then online. */
    private static void build(Path runner) {
        String home = System.getProperty("vlm.maven.home");
        String mvn = home != null && !home.isBlank() ? Path.of(home, "bin", "mvn").toString() : "mvn";
        List<String> cmd = new ArrayList<>(List.of(mvn, "-B", "-q", "package"));
        String repo = System.getProperty("vlm.maven.repo");
        if (repo != null && !repo.isBlank()) {
            cmd.add("-Dmaven.repo.local=" + repo);
        }
        List<String> offline = new ArrayList<>(cmd);
        offline.add("-o");
        if (!runMaven(runner, offline) && !runMaven(runner, cmd)) {
            throw new IllegalStateException("packaging Apicurio Registry failed; see " + runner.resolve("build.log"));
        }
    }

    private static boolean runMaven(Path runner, List<String> cmd) {
        log.info("Packaging Apicurio Registry: {}", String.join(" ", cmd));
        try {
            Process p = new ProcessBuilder(cmd).directory(runner.toFile()).redirectErrorStream(true)
                    .redirectOutput(runner.resolve("build.log").toFile()).start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + cmd.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted packaging Apicurio Registry", e);
        }
    }

    /** Reads the child's output until Quarkus names its port; the output keeps draining afterwards. */
    private static String awaitListening(Process p) {
        CompletableFuture<String> found = new CompletableFuture<>();
        StringBuilder head = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (!found.isDone()) {
                        if (head.length() < 20_000) {
                            head.append(line).append('\n');
                        }
                        Matcher m = LISTENING.matcher(line);
                        if (m.find()) {
                            found.complete(m.group(1));
                        }
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
            found.completeExceptionally(new IllegalStateException("Apicurio Registry exited before listening:\n" + head));
        }, "apicurio-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return found.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Apicurio Registry did not start within " + START_TIMEOUT + ": " + e.getMessage()
                    + "\n" + head, e);
        }
    }

    private static void awaitReady(String base, Process p) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline && p.isAlive()) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/health/ready"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("Apicurio Registry at " + base + " not ready");
    }
}
