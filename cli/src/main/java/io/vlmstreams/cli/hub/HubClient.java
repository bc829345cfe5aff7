package io.vlmstreams.cli.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The two Hub calls a download needs, over the JDK's HTTP client: a revision's file list
 * ({@code GET /api/models/REPO/revision/REV?blobs=true}, which carries the commit, sizes, blob ids and LFS
 * sha256s) and a file by its resolve URL ({@code /REPO/resolve/COMMIT/PATH}), redirects followed by hand so the
 * token never travels to another host (the Hub redirects LFS files to a CDN with a signed URL).
 */
public final class HubClient {

    private static final Pattern REPO_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final int MAX_REDIRECTS = 10;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HubSettings settings;
    private final HttpClient http;

    public HubClient(HubSettings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(15))
                .build();
    }

    /** Checks a repository id such as {@code onnx-community/LFM2-VL-450M-ONNX}. */
    public static String checkRepoId(String repo) {
        if (!REPO_ID.matcher(repo).matches() || repo.contains("..")) {
            throw new HubException("'" + repo + "' is not a repository id; expected ORG/NAME, e.g. onnx-community/LFM2-VL-450M-ONNX");
        }
        return repo;
    }

    /** The files of {@code repo} at {@code revision} (a branch, tag or commit). */
    public RepoListing listing(String repo, String revision) {
        URI uri = URI.create(settings.endpoint() + "/api/models/" + checkRepoId(repo) + "/revision/"
                + encode(revision) + "?blobs=true");
        HttpResponse<InputStream> response = send(uri, -1, Duration.ofSeconds(60));
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw statusError(response, repo, revision, null);
            }
            JsonNode info = JSON.readTree(body);
            String commit = info.path("sha").asText("");
            if (!commit.matches("[0-9a-f]{40}")) {
                throw new HubException(uri + " answered without a commit sha; is " + settings.endpoint() + " a Hugging Face Hub endpoint?");
            }
            List<RepoFile> files = new ArrayList<>();
            for (JsonNode s : info.path("siblings")) {
                JsonNode lfs = s.path("lfs");
                Optional<String> sha = lfs.hasNonNull("sha256") ? Optional.of(lfs.get("sha256").asText())
                        : lfs.hasNonNull("oid") ? Optional.of(lfs.get("oid").asText()) : Optional.empty();
                long size = s.hasNonNull("size") ? s.get("size").asLong() : lfs.path("size").asLong(-1);
                files.add(new RepoFile(s.path("rfilename").asText(), size, s.path("blobId").asText(""), sha));
            }
            return new RepoListing(repo, revision, commit, files);
        } catch (IOException e) {
            throw new HubException("reading the file list of " + repo + " from " + settings.endpoint() + " failed: " + e.getMessage(), e);
        }
    }

    /** The resolve URL of {@code path} at {@code commit}. */
    public URI resolveUri(String repo, String commit, String path) {
        StringBuilder p = new StringBuilder();
        for (String segment : path.split("/")) {
            p.append('/').append(encode(segment));
        }
        return URI.create(settings.endpoint() + "/" + checkRepoId(repo) + "/resolve/" + encode(commit) + p);
    }

    /**
     * Opens {@code uri} from byte {@code offset} on (a {@code Range} request when above 0), following redirects.
     * The caller reads and closes the body; 200 means the server ignored the range, 206 that it honoured it.
     */
    public HttpResponse<InputStream> openFile(URI uri, long offset, String repo, String path) {
        HttpResponse<InputStream> response = send(uri, offset, Duration.ofMinutes(10));
        int code = response.statusCode();
        if (code == 200 || code == 206 || code == 416) {
            return response;
        }
        try (InputStream ignored = response.body()) {
            throw statusError(response, repo, null, path);
        } catch (IOException e) {
            throw new HubException("HTTP " + code + " from " + response.uri(), e);
        }
    }

    /** One request with redirects followed; the token goes only to the endpoint's own host. */
    private HttpResponse<InputStream> send(URI start, long offset, Duration timeout) {
        URI uri = start;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET()
                    .header("User-Agent", "vlm-streams/0.1 (java " + Runtime.version().feature() + ")");
            if (offset > 0) {
                request.header("Range", "bytes=" + offset + "-");
            }
            if (settings.token().isPresent() && sameHost(uri, settings.endpoint())) {
                request.header("Authorization", "Bearer " + settings.token().get());
            }
            HttpResponse<InputStream> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (HttpConnectTimeoutException | ConnectException | UnknownHostException e) {
                throw unreachable(uri, e);
            } catch (HttpTimeoutException e) {
                throw new HubException(uri.getHost() + " did not answer within " + timeout.toSeconds() + " s; try again later", e);
            } catch (IOException e) {
                if (e.getCause() instanceof UnknownHostException || e.getCause() instanceof ConnectException) {
                    throw unreachable(uri, e);
                }
                throw new HubException("request to " + uri + " failed: " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HubException("interrupted", e);
            }
            int code = response.statusCode();
            if (code != 301 && code != 302 && code != 303 && code != 307 && code != 308) {
                return response;
            }
            Optional<String> location = response.headers().firstValue("Location");
            try {
                response.body().close();
            } catch (IOException ignored) {
                // the redirect's body is not needed
            }
            if (location.isEmpty()) {
                throw new HubException("HTTP " + code + " without a Location from " + uri);
            }
            uri = uri.resolve(location.get());
        }
        throw new HubException("more than " + MAX_REDIRECTS + " redirects from " + start);
    }

    /** One line for a non-2xx answer, using the Hub's {@code X-Error-Code} when it sends one. */
    private HubException statusError(HttpResponse<?> response, String repo, String revision, String path) {
        int code = response.statusCode();
        String hubCode = response.headers().firstValue("X-Error-Code").orElse("");
        String what = path == null ? repo + (revision == null ? "" : " at revision '" + revision + "'") : repo + ": " + path;
        if (code == 401 || code == 403 || hubCode.equals("GatedRepo")) {
            String tokenHint = settings.token().isPresent()
                    ? "the token in HF_TOKEN was refused: check it has read access and that you accepted the model's terms on the Hub"
                    : "if it is gated or private, accept its terms on the Hub and set HF_TOKEN";
            return new HubException(what + ": access denied (HTTP " + code + ") by " + settings.endpoint()
                    + "; the repository may not exist (check the spelling), or " + tokenHint);
        }
        if (code == 404) {
            String which = hubCode.equals("RevisionNotFound") ? "no revision '" + revision + "' in " + repo
                    : hubCode.equals("EntryNotFound") ? "no file " + path + " in " + repo
                    : "no repository " + repo + (revision == null ? "" : " (or no revision '" + revision + "')");
            return new HubException(which + " on " + settings.endpoint() + " (HTTP 404)");
        }
        return new HubException(what + ": HTTP " + code + " from " + response.uri()
                + (code >= 500 ? "; the Hub or mirror has a problem, try again later" : ""));
    }

    private HubException unreachable(URI uri, Exception e) {
        String cause = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return HubException.unreachable("cannot reach " + uri.getScheme() + "://" + uri.getAuthority() + " (" + cause
                + "): offline? Check the network or proxy, or set HF_ENDPOINT to a mirror", e);
    }

    private static boolean sameHost(URI a, URI b) {
        return a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost()) && a.getPort() == b.getPort();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
