package io.vlmstreams.cli.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlmstreams.inference.model.DtypeSelection;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Downloads what one precision of a published ONNX folder needs into the Hugging Face cache and returns its
 * snapshot folder. A file already in the snapshot (from an earlier run or from {@code huggingface-cli}) or whose
 * blob is cached under another revision is not fetched again. Without a network (or with
 * {@code HF_HUB_OFFLINE=1}) a revision fetched before is served from the cache. One download at a time per instance.
 */
public final class HubDownload {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final java.util.concurrent.ConcurrentMap<Path, Object> IN_PROCESS = new java.util.concurrent.ConcurrentHashMap<>();
    private static final DownloadProgress SILENT = (file, how) -> { };

    private final HubSettings settings;
    private final HubClient client;
    private final DownloadProgress progress;
    private final PrintStream out;
    private final java.time.Duration stallTimeout;
    /** Counted over one {@link #download} call (the config may be fetched before the others). */
    private int fetchedFiles;
    private long fetchedBytes;
    /** Files brought in before the listing was printed (config.json, when the dtype depends on it), and how. */
    private final java.util.Map<String, String> early = new java.util.HashMap<>();

    public HubDownload(HubSettings settings, DownloadProgress progress, PrintStream out) {
        this(settings, progress, out, BlobFetcher.STALL_TIMEOUT);
    }

    /** As above; a connection silent for {@code stallTimeout} counts as dropped and is resumed. */
    public HubDownload(HubSettings settings, DownloadProgress progress, PrintStream out, java.time.Duration stallTimeout) {
        this.stallTimeout = stallTimeout;
        this.settings = settings;
        this.client = new HubClient(settings);
        this.progress = progress;
        this.out = out;
    }

    /** What was downloaded: the snapshot folder and the files in it that the precision needs. */
    public record Result(String repo, String revision, String commit, Path snapshot, DownloadSelection selection,
                         int fetchedFiles, long fetchedBytes, boolean fromCacheOnly) { }

    /** Downloads {@code repo} at {@code revision} for {@code dtype} (null: the folder's own default). */
    public Result download(String repo, String revision, DtypeSelection dtype) {
        HubClient.checkRepoId(repo);
        if (revision.isBlank() || revision.startsWith("/") || revision.contains("\\") || ("/" + revision + "/").contains("/../")) {
            throw new HubException("'" + revision + "' is not a revision: a branch, tag or commit, e.g. main");
        }
        fetchedFiles = 0;
        fetchedBytes = 0;
        early.clear();
        HubCache cache = new HubCache(settings.cacheRoot(), repo);
        boolean offline = settings.offline();
        RepoListing found;
        if (offline) {
            found = cachedListing(cache, repo, revision, "HF_HUB_OFFLINE is set");
        } else {
            try {
                found = client.listing(repo, revision);
            } catch (HubException e) {
                if (!e.isUnreachable() || cache.commitOf(revision).isEmpty()) {
                    throw e;
                }
                out.println("offline: " + e.getMessage());
                found = cachedListing(cache, repo, revision, "the Hub is unreachable");
                offline = true;
            }
        }
        RepoListing listing = found;
        String commit = listing.commit();
        boolean cacheOnly = offline;
        DownloadSelection selection = DownloadSelection.choose(listing.files(), dtype, () -> config(cache, commit, listing, cacheOnly));
        long cachedBytes = selection.files().stream().filter(f -> !"fetched".equals(early.get(f.path()))
                && !"resumed".equals(early.get(f.path())) && cache.hasInSnapshot(commit, f)).mapToLong(RepoFile::size).sum();
        out.printf("%s at %s (commit %s), %s%n", repo, revision, commit.substring(0, 12), selection.graphs().summary());
        out.printf("  %d files, %s: %s to fetch, %s already in the cache %s%n", selection.files().size(),
                DownloadProgress.size(selection.totalBytes()), DownloadProgress.size(selection.totalBytes() - cachedBytes),
                DownloadProgress.size(cachedBytes), settings.cacheRoot());
        BlobFetcher fetcher = new BlobFetcher(client, progress, stallTimeout);
        for (RepoFile file : selection.files()) {
            String how = early.containsKey(file.path()) ? early.get(file.path()) : ensure(cache, commit, file, fetcher, offline);
            progress.done(file, how);
        }
        cache.writeRef(revision, commit);
        return new Result(repo, revision, commit, cache.snapshotDir(commit), selection, fetchedFiles, fetchedBytes, offline);
    }

    /** Puts {@code file} into the snapshot, fetching it unless the cache has its content; says how (cached, fetched, resumed). */
    private String ensure(HubCache cache, String commit, RepoFile file, BlobFetcher fetcher, boolean offline) {
        if (cache.hasInSnapshot(commit, file)) {
            return "cached";
        }
        Path blob = cache.blob(file.etag());
        if (sizeOf(blob) == file.size()) {
            cache.link(commit, file);
            return "cached";
        }
        if (offline) {
            throw new HubException(file.path() + " is not in the cache and the Hub cannot be reached");
        }
        // another download into this cache may be writing the same blob: wait for it, then take its result.
        // A file lock excludes other processes; threads of this one queue on the monitor first (the JVM refuses
        // a second lock on a file it already locks).
        synchronized (IN_PROCESS.computeIfAbsent(cache.lock(file.etag()), k -> new Object())) {
            return fetchLocked(cache, commit, file, fetcher, blob);
        }
    }

    private String fetchLocked(HubCache cache, String commit, RepoFile file, BlobFetcher fetcher, Path blob) {
        String how;
        try (java.nio.channels.FileChannel lockFile = java.nio.channels.FileChannel.open(cache.lock(file.etag()),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
             java.nio.channels.FileLock ignored = lockFile.lock()) {
            if (sizeOf(blob) == file.size()) {
                cache.link(commit, file);
                return "cached";
            }
            how = fetcher.fetch(cache, cache.repo(), commit, file);
        } catch (java.io.IOException e) {
            throw new UncheckedIOException("cannot lock " + cache.lock(file.etag()) + ": " + e.getMessage(), e);
        }
        cache.link(commit, file);
        fetchedFiles++;
        fetchedBytes += file.size();
        return how;
    }

    /** config.json of the revision, fetched first when the precision depends on it. */
    private JsonNode config(HubCache cache, String commit, RepoListing listing, boolean offline) {
        Optional<RepoFile> config = listing.files().stream().filter(f -> f.path().equals("config.json")).findFirst();
        if (config.isEmpty()) {
            return JSON.createObjectNode();
        }
        // quietly: its line is printed in order with the others, after the listing's summary
        early.put(config.get().path(), ensure(cache, commit, config.get(), new BlobFetcher(client, SILENT, stallTimeout), offline));
        try {
            return JSON.readTree(cache.snapshotFile(commit, "config.json").toFile());
        } catch (IOException e) {
            throw new HubException("config.json of " + listing.repo() + " is not JSON: " + e.getMessage(), e);
        }
    }

    /** The listing a cached snapshot stands for: the files it holds, with their sizes on disk. */
    private static RepoListing cachedListing(HubCache cache, String repo, String revision, String why) {
        String commit = cache.commitOf(revision).orElseThrow(() -> new HubException(why + " and " + repo + " at "
                + revision + " is not in the cache " + cache.root()));
        List<RepoFile> files = new ArrayList<>();
        for (String path : cache.snapshotPaths(commit)) {
            Path p = cache.snapshotFile(commit, path);
            String etag;
            try {
                etag = Files.isSymbolicLink(p) ? p.toRealPath().getFileName().toString() : "";
            } catch (IOException e) {
                etag = "";
            }
            files.add(new RepoFile(path, sizeOf(p), etag, Optional.empty()));
        }
        return new RepoListing(repo, revision, commit, files);
    }

    private static long sizeOf(Path p) {
        try {
            return Files.isRegularFile(p) ? Files.size(p) : -1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
