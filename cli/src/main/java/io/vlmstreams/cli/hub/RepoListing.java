package io.vlmstreams.cli.hub;

import java.util.List;

/** The files of a repository at one revision, and the commit the revision pointed to. */
public record RepoListing(String repo, String revision, String commit, List<RepoFile> files) {

    public RepoListing {
        files = List.copyOf(files);
    }
}
