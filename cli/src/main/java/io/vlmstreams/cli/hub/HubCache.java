package io.vlmstreams.cli.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The Hugging Face cache layout, as {@code huggingface_hub} reads and writes it, for one model repository:
 * {@code ROOT/models--ORG--NAME/blobs/ETAG} holds each content once, {@code snapshots/COMMIT/PATH} links to it
 * (relative symbolic links, a copy where the file system has none), {@code refs/REVISION} holds the commit a
 * branch or tag pointed to when last fetched. A partial blob is {@code blobs/ETAG.incomplete}.
 */
public record HubCache(Path root, String repo) {

    /** {@code ROOT/models--ORG--NAME}. */
    public Path repoDir() {
        return root.resolve("models--" + repo.replace("/", "--"));
    }

    public Path blob(String etag) {
        return repoDir().resolve("blobs").resolve(etag);
    }

    public Path incomplete(String etag) {
        return repoDir().resolve("blobs").resolve(etag + ".incomplete");
    }

    /**
     * {@code ROOT/.locks/models--ORG--NAME/ETAG.lock}, where huggingface_hub keeps its lock files too (created here).
     * Java's locks are POSIX record locks, Python's filelock uses flock: they exclude vlm-streams processes from each
     * other, not from huggingface-cli.
     */
    public Path lock(String etag) {
        Path lock = root.resolve(".locks").resolve(repoDir().getFileName()).resolve(etag + ".lock");
        try {
            Files.createDirectories(lock.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + lock.getParent() + ": " + e.getMessage(), e);
        }
        return lock;
    }

    public Path snapshotDir(String commit) {
        return repoDir().resolve("snapshots").resolve(commit);
    }

    public Path snapshotFile(String commit, String path) {
        return snapshotDir(commit).resolve(path);
    }

    /** The commit {@code revision} pointed to when last fetched; a commit sha stands for itself. */
    public Optional<String> commitOf(String revision) {
        if (revision.matches("[0-9a-f]{40}")) {
            return Optional.of(revision);
        }
        Path ref = repoDir().resolve("refs").resolve(revision);
        try {
            return Files.isRegularFile(ref) ? Optional.of(Files.readString(ref, StandardCharsets.UTF_8).trim()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Records that {@code revision} points to {@code commit} (nothing to record for a commit sha). */
    public void writeRef(String revision, String commit) {
        if (revision.equals(commit)) {
            return;
        }
        Path ref = repoDir().resolve("refs").resolve(revision);
        try {
            Files.createDirectories(ref.getParent());
            // a temporary file of its own: two downloads into one cache write the same ref at once
            Path tmp = Files.createTempFile(ref.getParent(), ref.getFileName().toString(), ".tmp");
            try {
                Files.writeString(tmp, commit, StandardCharsets.UTF_8);
                Files.move(tmp, ref, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + ref + ": " + e.getMessage(), e);
        }
    }

    /** True when the snapshot already has {@code file} with its content in place (the link resolves). */
    public boolean hasInSnapshot(String commit, RepoFile file) {
        Path p = snapshotFile(commit, file.path());
        try {
            return Files.isRegularFile(p) && Files.size(p) == file.size();
        } catch (IOException e) {
            return false;
        }
    }

    /** Links {@code snapshots/COMMIT/PATH} to {@code blobs/ETAG}: a relative symbolic link, a copy without them. */
    public void link(String commit, RepoFile file) {
        Path target = snapshotFile(commit, file.path());
        Path blob = blob(file.etag());
        try {
            Files.createDirectories(target.getParent());
            Files.deleteIfExists(target);
            try {
                Files.createSymbolicLink(target, target.getParent().relativize(blob));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // another download linked the same file in the meantime
            } catch (UnsupportedOperationException | FileSystemException e) {
                Files.copy(blob, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot link " + target + " to " + blob + ": " + e.getMessage(), e);
        }
    }

    /** Every file path under a snapshot, relative and with {@code /} separators (for offline use). */
    public List<String> snapshotPaths(String commit) {
        Path dir = snapshotDir(commit);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace('\\', '/')).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }
}
