package io.vlmstreams.cli;

import io.vlmstreams.cli.hub.DownloadProgress;
import io.vlmstreams.cli.hub.HubDownload;
import io.vlmstreams.cli.hub.HubException;
import io.vlmstreams.cli.hub.HubSettings;
import io.vlmstreams.cli.hub.LocalFolder;
import io.vlmstreams.inference.model.DtypeSelection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code model download REPO [--dtype D] [--revision R] [--out DIR]}: a published ONNX folder from the Hugging
 * Face Hub without Python, only the files one precision needs, into the standard Hugging Face cache.
 */
@Command(name = "download", mixinStandardHelpOptions = true,
        description = {"Download a published LFM2-VL ONNX folder (e.g. onnx-community/LFM2-VL-450M-ONNX, "
                + "LiquidAI/LFM2.5-VL-1.6B-ONNX) from the Hugging Face Hub: the configs, the tokenizer and one "
                + "precision's graphs, into the Hugging Face cache (shared with huggingface-cli; nothing is fetched "
                + "twice). Resumes an interrupted download; checks every file's size and hash.",
                "Environment: HF_ENDPOINT (a mirror), HF_TOKEN (gated or private repositories), HF_HOME or "
                + "HF_HUB_CACHE (the cache), HF_HUB_OFFLINE=1 (use the cache only)."})
final class ModelDownloadCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "REPO", description = "Repository id, ORG/NAME.")
    String repo;

    @Option(names = "--dtype", paramLabel = "D", defaultValue = "auto",
            description = "Precision to fetch (default ${DEFAULT-VALUE}: the folder's transformers.js_config.dtype, else "
                    + "fp32): fp32, fp16, q8, q4, q4f16, ... or per graph (fp16,decoder_model_merged=q4), as model.dtype. "
                    + "A graph missing in it takes the nearest precision, as the engine loads it.")
    String dtype;

    @Option(names = "--revision", paramLabel = "R", defaultValue = "main", description = "Branch, tag or commit (default ${DEFAULT-VALUE}).")
    String revision;

    @Option(names = "--out", paramLabel = "DIR", description = "Also place the files in this plain folder (hard links to the "
            + "cache for graphs where possible, copies otherwise), e.g. models/LFM2-VL-450M-ONNX.")
    Path out;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "Hugging Face cache root (default $HF_HUB_CACHE, "
            + "else $HF_HOME/hub, else ~/.cache/huggingface/hub).")
    Path cacheDir;

    @Option(names = "--endpoint", paramLabel = "URL", description = "Hub endpoint (default $HF_ENDPOINT, else "
            + HubSettings.DEFAULT_ENDPOINT + ").")
    String endpoint;

    @Override
    public Integer call() {
        try {
            HubSettings settings = HubSettings.fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home")));
            if (endpoint != null) {
                settings = settings.withEndpoint(endpoint);
            }
            if (cacheDir != null) {
                settings = settings.withCacheRoot(cacheDir.toAbsolutePath());
            }
            DtypeSelection asked = DtypeSelection.isAuto(dtype) ? null : DtypeSelection.parse(dtype);
            DownloadProgress progress = DownloadProgress.to(System.out, System.console() != null);
            HubDownload.Result r = new HubDownload(settings, progress, System.out).download(repo, revision, asked);
            System.out.printf("%s: %d files fetched (%s), %d from the cache%n", r.fromCacheOnly() ? "offline" : "done",
                    r.fetchedFiles(), DownloadProgress.size(r.fetchedBytes()), r.selection().files().size() - r.fetchedFiles());
            Path folder = r.snapshot();
            if (out != null) {
                LocalFolder.materialise(r.snapshot(), r.selection().files(), out);
                folder = out.toAbsolutePath().normalize();
            }
            System.out.println("model folder: " + folder);
            System.out.println("run it: ./vlm-streams sandbox --model " + folder + " --dtype " + r.selection().graphs().dtype());
            return 0;
        } catch (HubException | IllegalArgumentException | java.io.UncheckedIOException e) {
            System.out.flush();
            System.err.println("error: " + e.getMessage());
            return 2;
        }
    }
}
