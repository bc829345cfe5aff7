package io.vlmstreams.cli.hub;

import java.util.Optional;

/**
 * One file of a repository revision as the Hub lists it: its path, size, git blob id and, for a file
 * stored in Git LFS, the sha256 of its content. The Hub's ETag of a file is its sha256 when it is in LFS
 * and its git blob id otherwise; the cache names blobs by that ETag.
 */
public record RepoFile(String path, long size, String blobId, Optional<String> lfsSha256) {

    public RepoFile {
        if (path.startsWith("/") || path.contains("\\") || ("/" + path + "/").contains("/../")) {
            throw new HubException("the listing names an unsafe path '" + path + "'");
        }
        lfsSha256 = lfsSha256.map(s -> s.toLowerCase(java.util.Locale.ROOT));
    }

    /** The name the Hub's ETag gives this file's content, and the cache's blob name. */
    public String etag() {
        return lfsSha256.orElse(blobId);
    }

    /** The last path segment, e.g. {@code decoder_model_merged_q4.onnx}. */
    public String fileName() {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
