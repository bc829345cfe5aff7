package io.vlmstreams.cli.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Brings one file's content into the cache as {@code blobs/ETAG}: written to {@code ETAG.incomplete} first, a
 * dropped connection resumed with an HTTP range from what is already on disk (within this run, a few times, and
 * in the next run), then checked against the listing (size; sha256 for an LFS file, the git blob id otherwise)
 * and moved into place. A file that fails its check is deleted, so a corrupted byte never reaches a snapshot.
 * A connection that stays silent for the stall timeout counts as dropped (the JDK client has no read timeout).
 */
public final class BlobFetcher {

    private static final int ATTEMPTS = 5;
    private static final int BUFFER = 1 << 20;

    private final HubClient client;
    /** Default time without a byte after which a connection counts as dropped. */
    public static final Duration STALL_TIMEOUT = Duration.ofSeconds(60);

    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vlm-download-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final DownloadProgress progress;
    private final Duration stallTimeout;

    public BlobFetcher(HubClient client, DownloadProgress progress) {
        this(client, progress, STALL_TIMEOUT);
    }

    public BlobFetcher(HubClient client, DownloadProgress progress, Duration stallTimeout) {
        this.client = client;
        this.progress = progress;
        this.stallTimeout = stallTimeout;
    }

    /** Fetches {@code file} into {@code cache}; returns how (fetched, resumed). */
    public String fetch(HubCache cache, String repo, String commit, RepoFile file) {
        Path part = cache.incomplete(file.etag());
        URI uri = client.resolveUri(repo, commit, file.path());
        try {
            Files.createDirectories(part.getParent());
            long resumedAt = Files.exists(part) ? Files.size(part) : 0;
            for (int attempt = 1; ; attempt++) {
                try {
                    download(uri, repo, file, part);
                    break;
                } catch (IOException e) {
                    if (attempt == ATTEMPTS) {
                        throw new HubException(file.path() + ": the connection dropped " + ATTEMPTS + " times (" + e.getMessage()
                                + "); run the command again to resume from " + DownloadProgress.size(sizeOf(part)), e);
                    }
                    if (resumedAt == 0) {
                        resumedAt = sizeOf(part);
                    }
                }
            }
            verify(file, part);
            Files.move(part, cache.blob(file.etag()), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return resumedAt > 0 ? "resumed" : "fetched";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + part + ": " + e.getMessage(), e);
        }
    }

    /** One attempt: appends to {@code part} from its current size; an IOException while reading means retry. */
    private void download(URI uri, String repo, RepoFile file, Path part) throws IOException {
        long have = Files.exists(part) ? Files.size(part) : 0;
        if (have > file.size()) {
            Files.delete(part);
            have = 0;
        }
        if (have == file.size() && have > 0) {
            return;
        }
        HttpResponse<InputStream> response = client.openFile(uri, have, repo, file.path());
        try (InputStream body = response.body()) {
            boolean append = have > 0 && response.statusCode() == 206;
            if (response.statusCode() == 416) {
                // the server holds fewer bytes than our partial file: start over
                Files.deleteIfExists(part);
                throw new IOException("range not satisfiable at " + have);
            }
            if (!append) {
                have = 0;
            }
            progress.start(file, have);
            Stall stall = new Stall(Thread.currentThread(), body, stallTimeout);
            try (stall; OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
                byte[] buffer = new byte[BUFFER];
                for (int n; (n = body.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, n);
                    stall.progressed();
                    progress.advance(n);
                }
            } catch (IOException e) {
                if (stall.fired()) {
                    throw new IOException("no data for " + stallTimeout.toSeconds() + " s", e);
                }
                throw e;
            }
        }
        long got = Files.size(part);
        if (got < file.size()) {
            throw new IOException("ended after " + got + " of " + file.size() + " bytes");
        }
    }

    private static long sizeOf(Path p) {
        try {
            return Files.exists(p) ? Files.size(p) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * When no byte arrived for {@code timeout}: closes the body and interrupts the downloading thread. Both are
     * needed: the JDK's response stream retries a read that is interrupted, and fails it only once closed.
     * Closing the watch stops it and clears an interrupt it caused, so the next attempt starts clean.
     */
    private static final class Stall implements AutoCloseable {
        private final Thread thread;
        private final InputStream body;
        private final long timeoutNanos;
        private final ScheduledFuture<?> task;
        private volatile long last = System.nanoTime();
        private boolean closed;
        private boolean fired;

        Stall(Thread thread, InputStream body, Duration timeout) {
            this.thread = thread;
            this.body = body;
            this.timeoutNanos = timeout.toNanos();
            long period = Math.max(timeout.toMillis() / 4, 10);
            this.task = WATCHDOG.scheduleAtFixedRate(this::check, period, period, TimeUnit.MILLISECONDS);
        }

        void progressed() {
            last = System.nanoTime();
        }

        private synchronized void check() {
            if (!closed && !fired && System.nanoTime() - last > timeoutNanos) {
                fired = true;
                try {
                    body.close();
                } catch (IOException ignored) {
                    // the interrupt below ends the read either way
                }
                thread.interrupt();
            }
        }

        synchronized boolean fired() {
            return fired;
        }

        @Override
        public synchronized void close() {
            closed = true;
            task.cancel(false);
            if (fired) {
                Thread.interrupted();
            }
        }
    }

    /** Size, then content hash; a mismatch deletes the file. */
    private static void verify(RepoFile file, Path part) throws IOException {
        long size = Files.size(part);
        if (size != file.size()) {
            Files.deleteIfExists(part);
            throw new HubException(file.path() + ": got " + size + " bytes, the listing says " + file.size()
                    + "; the partial file was deleted, run the command again");
        }
        String expected = file.lfsSha256().orElse(file.blobId());
        if (expected.isEmpty()) {
            return;
        }
        String actual = file.lfsSha256().isPresent() ? hash(part, "SHA-256", null) : hash(part, "SHA-1", "blob " + size + "\0");
        if (!actual.equalsIgnoreCase(expected)) {
            Files.deleteIfExists(part);
            throw new HubException(file.path() + ": " + (file.lfsSha256().isPresent() ? "sha256 " : "git blob id ") + actual
                    + " differs from the listing's " + expected + " (corrupted in transit or by a proxy); the file was deleted, "
                    + "run the command again");
        }
    }

    private static String hash(Path file, String algorithm, String prefix) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance(algorithm);
            if (prefix != null) {
                digest.update(prefix.getBytes(StandardCharsets.US_ASCII));
            }
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buffer = new byte[BUFFER];
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    digest.update(buffer, 0, n);
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is part of every JDK", e);
        }
    }
}
