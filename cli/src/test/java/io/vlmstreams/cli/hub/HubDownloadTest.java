package io.vlmstreams.cli.hub;

import io.vlmstreams.inference.engine.TinyModel;
import io.vlmstreams.inference.model.DtypeSelection;
import io.vlmstreams.inference.model.ModelFolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link HubDownload} against {@link FakeHub} serving the tiny converted folder ({@code fixtures/tiny-onnx}) plus
 * a q4 decoder with external data and a README: the cache layout huggingface-cli uses, the precision filter,
 * redirects, resume by range, corruption, the cache found again, and the errors a user meets.
 */
class HubDownloadTest {

    private static final String Q4 = "onnx/decoder_model_merged_q4.onnx";
    private static final String Q4_DATA = "onnx/decoder_model_merged_q4.onnx_data";
    private static final String FP32_DECODER = "onnx/decoder_model_merged.onnx";

    @TempDir
    Path tmp;

    private FakeHub hub;
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    @BeforeEach
    void startHub() throws IOException {
        Random random = new Random(7);
        byte[] q4 = new byte[40_000];
        byte[] q4Data = new byte[300_000];
        random.nextBytes(q4);
        random.nextBytes(q4Data);
        hub = new FakeHub(TinyModel.onnxFolder(), Map.of(Q4, q4, Q4_DATA, q4Data,
                "README.md", "# tiny\n".getBytes(StandardCharsets.UTF_8)));
    }

    @AfterEach
    void stopHub() {
        hub.close();
    }

    private HubSettings settings(Optional<String> token) {
        return new HubSettings(java.net.URI.create(hub.endpoint()), token, tmp.resolve("hub"), false);
    }

    private HubDownload.Result download(String dtype) {
        return download(settings(Optional.empty()), dtype);
    }

    private HubDownload.Result download(HubSettings settings, String dtype) {
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        return new HubDownload(settings, DownloadProgress.to(out, false), out)
                .download(FakeHub.REPO, "main", dtype == null ? null : DtypeSelection.parse(dtype));
    }

    private Path repoDir() {
        return tmp.resolve("hub/models--onnx-community--Tiny-VL-ONNX");
    }

    @Test
    void fillsTheHuggingFaceCacheLayoutAndTheFolderLoads() throws IOException {
        HubDownload.Result r = download(null);

        assertThat(r.commit()).isEqualTo(FakeHub.COMMIT);
        assertThat(r.snapshot()).isEqualTo(repoDir().resolve("snapshots/" + FakeHub.COMMIT));
        assertThat(Files.readString(repoDir().resolve("refs/main"))).isEqualTo(FakeHub.COMMIT);
        Path decoder = r.snapshot().resolve(FP32_DECODER);
        assertThat(Files.isSymbolicLink(decoder)).isTrue();
        byte[] decoderBytes = Files.readAllBytes(TinyModel.onnxFolder().resolve(FP32_DECODER));
        // huggingface_hub's layout: relative links from the snapshot into blobs named by ETag (sha256 for LFS files)
        assertThat(Files.readSymbolicLink(decoder).toString()).isEqualTo("../../../blobs/" + FakeHub.sha256(decoderBytes));
        byte[] config = Files.readAllBytes(TinyModel.onnxFolder().resolve("config.json"));
        assertThat(repoDir().resolve("blobs/" + FakeHub.gitBlobId(config))).hasBinaryContent(config);
        assertThat(Files.readSymbolicLink(r.snapshot().resolve("config.json")).toString())
                .isEqualTo("../../blobs/" + FakeHub.gitBlobId(config));
        try (var blobs = Files.list(repoDir().resolve("blobs"))) {
            assertThat(blobs.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".incomplete"));
        }

        // auto: the folder's transformers.js_config.dtype (fp32): no q4 graph, no README fetched
        assertThat(hub.requests).noneMatch(p -> p.endsWith(Q4) || p.contains("_q4") || p.endsWith("README.md"));
        assertThat(hub.requests).anyMatch(p -> p.startsWith("/cdn/"));
        assertThat(r.selection().files()).extracting(RepoFile::path).containsExactlyInAnyOrder(
                "chat_template.jinja", "config.json", "generation_config.json", "preprocessor_config.json",
                "processor_config.json", "tokenizer.json", "tokenizer_config.json",
                "onnx/vision_encoder.onnx", "onnx/embed_tokens.onnx", FP32_DECODER);
        assertThat(r.fetchedFiles()).isEqualTo(10);

        ModelFolder folder = ModelFolder.open(r.snapshot(), "auto");
        assertThat(folder.decoder().getFileName().toString()).isEqualTo("decoder_model_merged.onnx");
        assertThat(folder.config()).isNotNull();
    }

    @Test
    void dtypeFetchesOnlyThatPrecisionAndItsExternalData() {
        HubDownload.Result r = download("q4");

        assertThat(r.selection().files()).extracting(RepoFile::path)
                .contains(Q4, Q4_DATA, "onnx/vision_encoder.onnx", "onnx/embed_tokens.onnx")
                .doesNotContain(FP32_DECODER);
        assertThat(hub.requests).anyMatch(p -> p.endsWith(Q4_DATA)).noneMatch(p -> p.endsWith(FP32_DECODER));
        assertThat(r.selection().graphs().summary()).contains("decoder_model_merged_q4.onnx", "vision_encoder.onnx (no q4; nearest fp32)");
        assertThat(r.snapshot().resolve(Q4_DATA)).exists();
    }

    @Test
    void aSecondDownloadFindsTheCacheAndFetchesNothingAndWorksOffline() {
        download(null);
        long first = hub.contentRequests();
        hub.requests.clear();

        HubDownload.Result again = download(null);
        assertThat(hub.contentRequests()).isZero();
        assertThat(again.fetchedFiles()).isZero();
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("cached   onnx/decoder_model_merged.onnx");
        assertThat(first).isGreaterThanOrEqualTo(10);

        hub.close();
        HubDownload.Result offline = download(null);
        assertThat(offline.fromCacheOnly()).isTrue();
        assertThat(offline.snapshot()).isEqualTo(again.snapshot());
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("offline: cannot reach http://127.0.0.1:");
    }

    @Test
    void aFolderFetchedByHuggingfaceCliIsFoundAndNotFetchedAgain() throws IOException {
        // lay the files out as huggingface_hub's snapshot_download does: blobs by ETag, relative links, refs/main
        Path snapshot = repoDir().resolve("snapshots/" + FakeHub.COMMIT);
        try (var walk = Files.walk(TinyModel.onnxFolder())) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                String rel = TinyModel.onnxFolder().relativize(p).toString();
                byte[] bytes = Files.readAllBytes(p);
                String etag = FakeHub.isLfs(rel) ? FakeHub.sha256(bytes) : FakeHub.gitBlobId(bytes);
                Path blob = repoDir().resolve("blobs/" + etag);
                Files.createDirectories(blob.getParent());
                Files.write(blob, bytes);
                Path link = snapshot.resolve(rel);
                Files.createDirectories(link.getParent());
                Files.createSymbolicLink(link, link.getParent().relativize(blob));
            }
        }
        Files.createDirectories(repoDir().resolve("refs"));
        Files.writeString(repoDir().resolve("refs/main"), FakeHub.COMMIT);

        HubDownload.Result r = download("fp32");
        assertThat(hub.contentRequests()).isZero();
        assertThat(r.fetchedFiles()).isZero();
    }

    @Test
    void aCorruptedFileIsDeletedAndReportedInOneLine() {
        hub.corrupt.add(FP32_DECODER);

        assertThatThrownBy(() -> download(null))
                .isInstanceOf(HubException.class)
                .hasMessageStartingWith(FP32_DECODER + ": sha256 ")
                .hasMessageContaining("differs from the listing's")
                .hasMessageContaining("deleted, run the command again")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        byte[] decoderBytes = readFixture(FP32_DECODER);
        String sha = FakeHub.sha256(decoderBytes);
        assertThat(repoDir().resolve("blobs/" + sha)).doesNotExist();
        assertThat(repoDir().resolve("blobs/" + sha + ".incomplete")).doesNotExist();
        assertThat(repoDir().resolve("snapshots/" + FakeHub.COMMIT + "/" + FP32_DECODER)).doesNotExist();

        hub.corrupt.clear();
        assertThat(download(null).snapshot().resolve(FP32_DECODER)).hasBinaryContent(decoderBytes);
    }

    @Test
    void aDroppedConnectionIsResumedWithARange() {
        hub.dropFirst.put(FP32_DECODER, new AtomicInteger(2));

        HubDownload.Result r = download(null);

        byte[] decoderBytes = readFixture(FP32_DECODER);
        assertThat(r.snapshot().resolve(FP32_DECODER)).hasBinaryContent(decoderBytes);
        // dropped twice part way: two resumes, each from what had reached the disk
        assertThat(hub.ranges).filteredOn(s -> s.contains("/cdn/")).hasSize(2)
                .extracting(s -> Long.parseLong(s.replaceAll(".*bytes=(\\d+)-$", "$1")))
                .isSorted().allMatch(from -> from > 0 && from < decoderBytes.length);
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("resumed  " + FP32_DECODER);
    }

    @Test
    void aSilentConnectionCountsAsDroppedAndIsResumed() {
        hub.stallFirst.put(FP32_DECODER, new AtomicInteger(1));
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

        HubDownload.Result r = new HubDownload(settings(Optional.empty()), DownloadProgress.to(out, false), out,
                java.time.Duration.ofMillis(500)).download(FakeHub.REPO, "main", null);

        assertThat(r.snapshot().resolve(FP32_DECODER)).hasBinaryContent(readFixture(FP32_DECODER));
        assertThat(hub.ranges).filteredOn(s -> s.contains("/cdn/")).hasSize(1);
        assertThat(Thread.currentThread().isInterrupted()).as("the watchdog's interrupt is cleared").isFalse();
    }

    @Test
    void twoDownloadsIntoOneCacheFetchEachFileOnce() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var a = pool.submit(() -> download(null));
            var b = pool.submit(() -> download(null));
            assertThat(a.get().snapshot()).isEqualTo(b.get().snapshot());
            assertThat(a.get().fetchedFiles() + b.get().fetchedFiles()).isEqualTo(10);
        } finally {
            pool.shutdownNow();
        }
        assertThat(hub.requests).filteredOn(p -> p.endsWith("/resolve/" + FakeHub.COMMIT + "/" + FP32_DECODER)).hasSize(1);
        assertThat(download(null).snapshot().resolve(FP32_DECODER)).hasBinaryContent(readFixture(FP32_DECODER));
    }

    @Test
    void aPartialFileFromAnInterruptedRunIsResumed() throws IOException {
        byte[] decoderBytes = readFixture(FP32_DECODER);
        Path part = repoDir().resolve("blobs/" + FakeHub.sha256(decoderBytes) + ".incomplete");
        Files.createDirectories(part.getParent());
        Files.write(part, java.util.Arrays.copyOf(decoderBytes, 1000));

        HubDownload.Result r = download(null);

        assertThat(r.snapshot().resolve(FP32_DECODER)).hasBinaryContent(decoderBytes);
        assertThat(hub.ranges).anyMatch(s -> s.startsWith("/cdn/") && s.endsWith("bytes=1000-"));
    }

    @Test
    void aGatedRepositoryNeedsTheTokenWhichNeverLeavesTheHubsHost() {
        hub.requiredToken = "hf_secret";

        assertThatThrownBy(() -> download(null))
                .isInstanceOf(HubException.class)
                .hasMessageContaining("access denied (HTTP 401)")
                .hasMessageContaining("set HF_TOKEN");
        assertThatThrownBy(() -> download(settings(Optional.of("hf_wrong")), null))
                .hasMessageContaining("the token in HF_TOKEN was refused");

        hub.authorized.clear();
        download(settings(Optional.of("hf_secret")), null);
        assertThat(hub.authorized).isNotEmpty().noneMatch(p -> p.startsWith("/cdn/"));
    }

    @Test
    void unknownRevisionUnreachableHubAndBadRepoIdAreOneLineErrors() throws IOException {
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        HubDownload d = new HubDownload(settings(Optional.empty()), DownloadProgress.to(out, false), out);
        assertThatThrownBy(() -> d.download(FakeHub.REPO, "nope", null))
                .hasMessage("no revision 'nope' in " + FakeHub.REPO + " on " + hub.endpoint() + " (HTTP 404)");
        assertThatThrownBy(() -> d.download(FakeHub.REPO, "../../etc", null))
                .hasMessage("'../../etc' is not a revision: a branch, tag or commit, e.g. main");
        assertThatThrownBy(() -> d.download("not a repo", "main", null))
                .hasMessageStartingWith("'not a repo' is not a repository id; expected ORG/NAME");

        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        HubSettings dead = new HubSettings(java.net.URI.create("http://127.0.0.1:" + closedPort), Optional.empty(), tmp.resolve("hub"), false);
        assertThatThrownBy(() -> download(dead, null))
                .isInstanceOf(HubException.class)
                .hasMessageStartingWith("cannot reach http://127.0.0.1:" + closedPort)
                .hasMessageEndingWith("offline? Check the network or proxy, or set HF_ENDPOINT to a mirror");
    }

    @Test
    void outMaterialisesAPlainFolderThatLoads() {
        HubDownload.Result r = download(null);
        Path out = tmp.resolve("models/Tiny-VL-ONNX");

        LocalFolder.materialise(r.snapshot(), r.selection().files(), out);

        assertThat(out.resolve(FP32_DECODER)).hasBinaryContent(readFixture(FP32_DECODER));
        assertThat(Files.isSymbolicLink(out.resolve("config.json"))).isFalse();
        assertThat(ModelFolder.open(out, "fp32").decoder()).isEqualTo(out.resolve(FP32_DECODER).toAbsolutePath().normalize());
    }

    private static byte[] readFixture(String path) {
        try {
            return Files.readAllBytes(TinyModel.onnxFolder().resolve(path));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
