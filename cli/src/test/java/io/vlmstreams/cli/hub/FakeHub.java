package io.vlmstreams.cli.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A local stand-in for the Hugging Face Hub serving one repository the way the Hub does: the revision listing
 * ({@code /api/models/ORG/NAME/revision/REV?blobs=true} with commit, sizes, blob ids, LFS sha256s), small files
 * directly from {@code /ORG/NAME/resolve/COMMIT/PATH} with their blob id as ETag, LFS files ({@code .onnx*}) by a
 * 302 to a "CDN" path that honours {@code Range}. Faults on demand: a file whose bytes are corrupted, a file
 * whose first response drops the connection half way, a token required.
 */
public final class FakeHub implements AutoCloseable {

    public static final String REPO = "onnx-community/Tiny-VL-ONNX";
    public static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    private final HttpServer server;
    /** The "CDN" LFS files redirect to: another port, so another origin that must not see the token. */
    private final HttpServer cdn;
    private final Map<String, byte[]> files = new LinkedHashMap<>();
    private final Map<String, String> sha256 = new ConcurrentHashMap<>();
    /** Every request path (resolve and CDN), to count what was fetched. */
    final List<String> requests = new CopyOnWriteArrayList<>();
    /** Requests that carried a Range header, as "path bytes=N-". */
    final List<String> ranges = new CopyOnWriteArrayList<>();
    /** Requests that carried an Authorization header, by path. */
    final List<String> authorized = new CopyOnWriteArrayList<>();
    final Set<String> corrupt = ConcurrentHashMap.newKeySet();
    final Map<String, AtomicInteger> dropFirst = new ConcurrentHashMap<>();
    /** Files whose first response sends half, then goes silent (neither data nor close) until the hub closes. */
    final Map<String, AtomicInteger> stallFirst = new ConcurrentHashMap<>();
    private final java.util.concurrent.CountDownLatch closing = new java.util.concurrent.CountDownLatch(1);
    private final java.util.concurrent.ExecutorService handlers = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-hub");
        t.setDaemon(true);
        return t;
    });
    volatile String requiredToken;

    /** Serves {@code folder} (a model folder) plus {@code extra} files (path to bytes). */
    public FakeHub(Path folder, Map<String, byte[]> extra) throws IOException {
        try (Stream<Path> walk = Files.walk(folder)) {
            for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                files.put(folder.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
        }
        files.putAll(extra);
        files.forEach((path, bytes) -> sha256.put(path, hex("SHA-256", null, bytes)));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        // several handlers at once: a stalled response must not block the resumed request
        server.setExecutor(handlers);
        server.start();
        cdn = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        cdn.createContext("/", this::handle);
        cdn.setExecutor(handlers);
        cdn.start();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The git blob id the Hub lists for a non-LFS file: sha1 of "blob SIZE\0" + content. */
    static String gitBlobId(byte[] bytes) {
        return hex("SHA-1", "blob " + bytes.length + "\0", bytes);
    }

    static String sha256(byte[] bytes) {
        return hex("SHA-256", null, bytes);
    }

    static boolean isLfs(String path) {
        return path.contains(".onnx");
    }

    /** Requests for file content (resolve or CDN), not listings. */
    public long contentRequests() {
        return requests.stream().filter(r -> !r.startsWith("/api/")).count();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            requests.add(path);
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (auth != null) {
                authorized.add(path);
            }
            String range = ex.getRequestHeaders().getFirst("Range");
            if (range != null) {
                ranges.add(path + " " + range);
            }
            if (requiredToken != null && !path.startsWith("/cdn/") && !("Bearer " + requiredToken).equals(auth)) {
                ex.getResponseHeaders().add("X-Error-Code", "GatedRepo");
                send(ex, 401, "{\"error\":\"Access to model is restricted.\"}".getBytes(StandardCharsets.UTF_8));
                return;
            }
            String api = "/api/models/" + REPO + "/revision/";
            String resolve = "/" + REPO + "/resolve/";
            if (path.startsWith(api)) {
                String rev = path.substring(api.length());
                if (!rev.equals("main") && !rev.equals(COMMIT)) {
                    ex.getResponseHeaders().add("X-Error-Code", "RevisionNotFound");
                    send(ex, 404, "{}".getBytes(StandardCharsets.UTF_8));
                    return;
                }
                send(ex, 200, listing());
            } else if (path.startsWith(resolve + COMMIT + "/")) {
                String file = path.substring((resolve + COMMIT + "/").length());
                if (!files.containsKey(file)) {
                    ex.getResponseHeaders().add("X-Error-Code", "EntryNotFound");
                    send(ex, 404, new byte[0]);
                } else if (isLfs(file)) {
                    ex.getResponseHeaders().add("Location", "http://127.0.0.1:" + cdn.getAddress().getPort() + "/cdn/" + sha256.get(file) + "?file=" + file);
                    ex.getResponseHeaders().add("X-Linked-Etag", "\"" + sha256.get(file) + "\"");
                    send(ex, 302, new byte[0]);
                } else {
                    ex.getResponseHeaders().add("ETag", "\"" + gitBlobId(files.get(file)) + "\"");
                    content(ex, file);
                }
            } else if (path.startsWith("/cdn/")) {
                String file = ex.getRequestURI().getQuery().substring("file=".length());
                content(ex, file);
            } else {
                ex.getResponseHeaders().add("X-Error-Code", "RepoNotFound");
                send(ex, 401, new byte[0]); // as the Hub: an unknown repository looks like a private one
            }
        }
    }

    private void content(HttpExchange ex, String file) throws IOException {
        byte[] bytes = files.get(file);
        if (corrupt.contains(file)) {
            bytes = bytes.clone();
            bytes[bytes.length / 2] ^= 0x5a;
        }
        int from = 0;
        String range = ex.getRequestHeaders().getFirst("Range");
        if (range != null && range.matches("bytes=\\d+-")) {
            from = Integer.parseInt(range.substring(6, range.length() - 1));
        }
        if (from >= bytes.length && bytes.length > 0) {
            send(ex, 416, new byte[0]);
            return;
        }
        int length = bytes.length - from;
        if (from > 0) {
            ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (bytes.length - 1) + "/" + bytes.length);
        }
        ex.sendResponseHeaders(from > 0 ? 206 : 200, length == 0 ? -1 : length);
        if (length == 0) {
            return;
        }
        OutputStream out = ex.getResponseBody();
        AtomicInteger drops = dropFirst.get(file);
        if (drops != null && drops.getAndDecrement() > 0) {
            out.write(bytes, from, length / 2);
            out.flush();
            // closing with bytes missing: the JDK server drops the connection
            throw new IOException("dropping the connection half way through " + file);
        }
        AtomicInteger stalls = stallFirst.get(file);
        if (stalls != null && stalls.getAndDecrement() > 0) {
            out.write(bytes, from, length / 2);
            out.flush();
            try {
                closing.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IOException("stalled " + file);
        }
        out.write(bytes, from, length);
    }

    private byte[] listing() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("id", REPO);
        root.put("sha", COMMIT);
        ArrayNode siblings = root.putArray("siblings");
        List<String> names = new ArrayList<>(files.keySet());
        names.add(0, ".gitattributes");
        for (String name : names) {
            byte[] bytes = files.getOrDefault(name, "*.onnx filter=lfs\n".getBytes(StandardCharsets.UTF_8));
            ObjectNode s = siblings.addObject();
            s.put("rfilename", name);
            s.put("size", bytes.length);
            s.put("blobId", gitBlobId(("version https://git-lfs.github.com/spec/v1\n" + name).getBytes(StandardCharsets.UTF_8)));
            if (isLfs(name)) {
                s.putObject("lfs").put("sha256", sha256.get(name)).put("size", bytes.length).put("pointerSize", 134);
            } else {
                s.put("blobId", gitBlobId(bytes));
            }
        }
        try {
            return json.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void send(HttpExchange ex, int code, byte[] body) throws IOException {
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            ex.getResponseBody().write(body);
        }
    }

    private static String hex(String algorithm, String prefix, byte[] bytes) {
        try {
            MessageDigest d = MessageDigest.getInstance(algorithm);
            if (prefix != null) {
                d.update(prefix.getBytes(StandardCharsets.US_ASCII));
            }
            return HexFormat.of().formatHex(d.digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        cdn.stop(0);
        handlers.shutdownNow();
    }
}
