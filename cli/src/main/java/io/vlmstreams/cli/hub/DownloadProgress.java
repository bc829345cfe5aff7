package io.vlmstreams.cli.hub;

import java.io.PrintStream;
import java.util.Locale;

/**
 * What a download shows while it runs: on a terminal one bar per file redrawn in place, otherwise (a log, a
 * CI job) one plain line per file when it is done, so the output stays readable when captured.
 */
public interface DownloadProgress {

    /** A file starts (or resumes) with {@code already} of its bytes on disk; shows nothing unless overridden. */
    default void start(RepoFile file, long already) {
    }

    /** {@code bytes} more arrived; shows nothing unless overridden. */
    default void advance(long bytes) {
    }

    /** The file is in place; {@code how} says from where (fetched, resumed, cached). */
    void done(RepoFile file, String how);

    /** A bar on a terminal, plain lines otherwise. */
    static DownloadProgress to(PrintStream out, boolean terminal) {
        return terminal ? new Bar(out) : new Lines(out);
    }

    /** Megabytes with one decimal, e.g. {@code 12.3 MB}; small sizes in kB. */
    static String size(long bytes) {
        return bytes >= 100_000 ? String.format(Locale.ROOT, "%.1f MB", bytes / 1e6) : String.format(Locale.ROOT, "%.1f kB", bytes / 1e3);
    }

    /** One line per finished file. */
    final class Lines implements DownloadProgress {
        private final PrintStream out;

        Lines(PrintStream out) {
            this.out = out;
        }

        @Override
        public void done(RepoFile file, String how) {
            out.printf("  %-8s %s  %s%n", how, file.path(), size(file.size()));
        }
    }

    /** {@code onnx/decoder_model_merged_q4.onnx [#########.........]  52%  150.2/289.0 MB  31.4 MB/s}, redrawn at most 10 times a second. */
    final class Bar implements DownloadProgress {
        private static final int WIDTH = 24;
        private final PrintStream out;
        private RepoFile file;
        private long done;
        private long startedAt;
        private long startBytes;
        private long lastDraw;

        Bar(PrintStream out) {
            this.out = out;
        }

        @Override
        public void start(RepoFile file, long already) {
            this.file = file;
            this.done = already;
            this.startBytes = already;
            this.startedAt = System.nanoTime();
            this.lastDraw = 0;
            draw(true);
        }

        @Override
        public void advance(long bytes) {
            done += bytes;
            draw(false);
        }

        @Override
        public void done(RepoFile f, String how) {
            if (f == file) {
                done = f.size();
                draw(true);
                out.print("\r\033[2K");
            }
            out.printf("  %-8s %s  %s%n", how, f.path(), size(f.size()));
            file = null;
        }

        private void draw(boolean force) {
            long now = System.nanoTime();
            if (!force && now - lastDraw < 100_000_000L) {
                return;
            }
            lastDraw = now;
            long total = Math.max(file.size(), 1);
            int filled = (int) Math.min(WIDTH, done * WIDTH / total);
            double seconds = Math.max((now - startedAt) / 1e9, 1e-3);
            out.printf(Locale.ROOT, "\r\033[2K  %s [%s%s] %3d%%  %s/%s  %.1f MB/s", file.path(), "#".repeat(filled),
                    ".".repeat(WIDTH - filled), done * 100 / total, size(done), size(file.size()), (done - startBytes) / 1e6 / seconds);
            out.flush();
        }
    }
}
