package io.vlmstreams.inference.engine;

import io.vlmstreams.inference.image.ProcessedImage;
import io.vlmstreams.inference.onnx.VisionEncoderSession;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the vision encoder for the images of a batch with as few calls as possible: images that
 * share a patch padding go into one call (up to a tile cap), and the output rows are split back per
 * image using each tile's image-token count. The graph treats tiles independently, so an image's
 * features do not depend on its call-mates.
 *
 * <p>Padding is trimmed first: an image's tiles are padded to its largest tile's real patch count
 * rounded up to a bucket, instead of the processor's maximum (1024). Padding patches are masked
 * out, so this changes no feature, and the encoder's attention cost falls with the square of the
 * trimmed length (a 64-token image needs 256 patches, not 1024). The bucket depends only on the
 * image itself, so call-mates never change an image's padding either.
 *
 * <p>A call is also capped by its attention scores, {@code tiles x heads x patches^2} floats, which
 * the encoder materialises (about twice: scores and probabilities live together) and which dwarf
 * every other intermediate at 1024 patches. ONNX Runtime's CPU arena keeps the largest call's peak
 * for the life of the process, so an uncapped call of 44 tiles x 1024 patches would pin gigabytes;
 * past a handful of such tiles a bigger call is no faster per tile. The cap makes the retained peak
 * independent of the batch size: at most the budget or one image's tiles, whichever is larger.
 */
public final class ImageEncoder {

    /** Padding granularity in patches (64 image tokens at downsample 2). */
    static final int PATCH_BUCKET = 256;

    /** Default cap on one call's attention scores: 8 tiles of 1024 patches at 4 heads, 2 at 16 heads. */
    public static final long DEFAULT_MAX_ATTENTION_BYTES = 128L << 20;

    private final VisionEncoderSession vision;
    private final BatchingPlan.VisionSharing sharing;
    private final int maxTiles;
    private final long attentionBytesPerSquarePatch;
    private final long maxAttentionBytes;

    /** An encoder with the tile cap only (no attention cap). */
    public ImageEncoder(VisionEncoderSession vision, int maxTiles) {
        this(vision, maxTiles, 1, Long.MAX_VALUE);
    }

    /**
     * @param heads             attention heads of the vision tower
     * @param maxAttentionBytes most bytes of float32 attention scores in one call; images are never
     *                          split, so one image above it (at most max_tiles + 1 tiles) runs alone
     */
    public ImageEncoder(VisionEncoderSession vision, int maxTiles, int heads, long maxAttentionBytes) {
        this(vision, maxTiles, heads, maxAttentionBytes, BatchingPlan.VisionSharing.ANY_SHAPES);
    }

    /**
     * @param sharing which tiles may share a call ({@link BatchingPlan}): with {@code SAME_SHAPE} or
     *                {@code ONE_TILE} images are cut into their tiles and a call holds tiles of one
     *                spatial shape (or one tile), so a graph that sizes its position embeddings once per
     *                call still gives every tile its own
     */
    public ImageEncoder(VisionEncoderSession vision, int maxTiles, int heads, long maxAttentionBytes,
                        BatchingPlan.VisionSharing sharing) {
        if (maxTiles < 1 || heads < 1 || maxAttentionBytes < 1) {
            throw new IllegalArgumentException("maxTiles, heads and maxAttentionBytes must be positive");
        }
        this.vision = vision;
        this.sharing = java.util.Objects.requireNonNull(sharing, "sharing");
        this.maxTiles = maxTiles;
        this.attentionBytesPerSquarePatch = (long) heads * Float.BYTES;
        this.maxAttentionBytes = maxAttentionBytes;
    }

    /** Most tiles of {@code patches} patches in one call. */
    int tilesPerCall(int patches) {
        long perTile = attentionBytesPerSquarePatch * patches * patches;
        return (int) Math.max(1, Math.min(maxTiles, maxAttentionBytes / perTile));
    }

    /** Features per image, in order: rows of text-hidden floats, one per image token. */
    public List<float[]> encode(List<ProcessedImage> original) {
        if (sharing != BatchingPlan.VisionSharing.ANY_SHAPES) {
            return encodeByTileShape(original);
        }
        List<ProcessedImage> images = new ArrayList<>(original.size());
        for (ProcessedImage img : original) {
            images.add(img.withMaxPatches(trimmedPatches(img)));
        }
        float[][] out = new float[images.size()][];
        Map<Integer, List<Integer>> byPadding = new LinkedHashMap<>();
        for (int i = 0; i < images.size(); i++) {
            byPadding.computeIfAbsent(images.get(i).maxPatches(), k -> new ArrayList<>()).add(i);
        }
        for (Map.Entry<Integer, List<Integer>> group : byPadding.entrySet()) {
            int cap = tilesPerCall(group.getKey());
            List<Integer> call = new ArrayList<>();
            int tiles = 0;
            for (int i : group.getValue()) {
                int t = images.get(i).tiles();
                if (!call.isEmpty() && tiles + t > cap) {
                    run(images, call, out);
                    call.clear();
                    tiles = 0;
                }
                call.add(i);
                tiles += t;
            }
            if (!call.isEmpty()) {
                run(images, call, out);
            }
        }
        return List.of(out);
    }

    /** The image's largest real patch count rounded up to the bucket, at most its current padding. */
    static int trimmedPatches(ProcessedImage img) {
        int valid = 1;
        for (int t = 0; t < img.tiles(); t++) {
            valid = Math.max(valid, img.validPatches(t));
        }
        int bucketed = (valid + PATCH_BUCKET - 1) / PATCH_BUCKET * PATCH_BUCKET;
        return Math.min(img.maxPatches(), bucketed);
    }

    private void run(List<ProcessedImage> images, List<Integer> call, float[][] out) {
        ProcessedImage first = images.get(call.get(0));
        int maxPatches = first.maxPatches();
        int pv = first.patchValues();
        int tiles = 0;
        for (int i : call) {
            tiles += images.get(i).tiles();
        }
        float[] values;
        long[] mask;
        long[] shapes;
        if (call.size() == 1) {
            values = first.pixelValues();
            mask = first.pixelAttentionMask();
            shapes = first.spatialShapes();
        } else {
            values = new float[tiles * maxPatches * pv];
            mask = new long[tiles * maxPatches];
            shapes = new long[tiles * 2];
            int t = 0;
            for (int i : call) {
                ProcessedImage img = images.get(i);
                System.arraycopy(img.pixelValues(), 0, values, t * maxPatches * pv, img.pixelValues().length);
                System.arraycopy(img.pixelAttentionMask(), 0, mask, t * maxPatches, img.pixelAttentionMask().length);
                System.arraycopy(img.spatialShapes(), 0, shapes, t * 2, img.spatialShapes().length);
                t += img.tiles();
            }
        }
        VisionEncoderSession.Features f = vision.encode(values, mask, shapes, tiles, maxPatches, pv);
        int row = 0;
        for (int i : call) {
            int tokens = images.get(i).layout().imageTokens();
            float[] mine = new float[tokens * f.width()];
            if ((row + tokens) * f.width() > f.values().length) {
                throw new IllegalStateException("vision encoder returned " + f.rows() + " rows, fewer than the images' image tokens");
            }
            System.arraycopy(f.values(), row * f.width(), mine, 0, mine.length);
            out[i] = mine;
            row += tokens;
        }
        if (row != f.rows()) {
            throw new IllegalStateException("vision encoder returned " + f.rows() + " rows for " + row + " image tokens");
        }
    }

    /** One tile of one image: where it comes from, its shape in patches and its image tokens. */
    private record Piece(int image, int tile, long rows, long cols, int tokens) {
        int patches() {
            return (int) (rows * cols);
        }
    }

    /** Calls of tiles of one shape (or of one tile each); every image's features reassembled in tile order. */
    private List<float[]> encodeByTileShape(List<ProcessedImage> images) {
        Map<List<Long>, List<Piece>> byShape = new LinkedHashMap<>();
        List<Piece> all = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            ProcessedImage img = images.get(i);
            List<Integer> tokens = img.layout().imageTokensPerTile();
            for (int t = 0; t < img.tiles(); t++) {
                Piece p = new Piece(i, t, img.spatialShapes()[t * 2], img.spatialShapes()[t * 2 + 1], tokens.get(t));
                all.add(p);
                List<Long> key = sharing == BatchingPlan.VisionSharing.ONE_TILE ? List.of((long) all.size(), -1L)
                        : List.of(p.rows, p.cols);
                byShape.computeIfAbsent(key, k -> new ArrayList<>()).add(p);
            }
        }
        Map<Piece, float[]> features = new java.util.HashMap<>();
        int width = 0;
        for (List<Piece> group : byShape.values()) {
            int patches = Math.max(1, (group.get(0).patches() + PATCH_BUCKET - 1) / PATCH_BUCKET * PATCH_BUCKET);
            int cap = sharing == BatchingPlan.VisionSharing.ONE_TILE ? 1 : tilesPerCall(patches);
            for (int from = 0; from < group.size(); from += cap) {
                width = runPieces(images, group.subList(from, Math.min(group.size(), from + cap)), patches, features);
            }
        }
        float[][] out = new float[images.size()][];
        for (int i = 0; i < images.size(); i++) {
            out[i] = new float[images.get(i).layout().imageTokens() * width];
        }
        int[] filled = new int[images.size()];
        for (Piece p : all) {
            float[] f = features.get(p);
            System.arraycopy(f, 0, out[p.image], filled[p.image], f.length);
            filled[p.image] += f.length;
        }
        return List.of(out);
    }

    /** One call over {@code pieces}, each padded to {@code patches}; returns the features' row width. */
    private int runPieces(List<ProcessedImage> images, List<Piece> pieces, int patches, Map<Piece, float[]> out) {
        int pv = images.get(pieces.get(0).image).patchValues();
        int n = pieces.size();
        float[] values = new float[n * patches * pv];
        long[] mask = new long[n * patches];
        long[] shapes = new long[n * 2];
        for (int k = 0; k < n; k++) {
            Piece p = pieces.get(k);
            ProcessedImage img = images.get(p.image);
            int valid = p.patches();
            System.arraycopy(img.pixelValues(), p.tile * img.maxPatches() * pv, values, k * patches * pv, valid * pv);
            java.util.Arrays.fill(mask, k * patches, k * patches + valid, 1L);
            shapes[k * 2] = p.rows;
            shapes[k * 2 + 1] = p.cols;
        }
        VisionEncoderSession.Features f = vision.encode(values, mask, shapes, n, patches, pv);
        int row = 0;
        for (Piece p : pieces) {
            if ((row + p.tokens) * f.width() > f.values().length) {
                throw new IllegalStateException("vision encoder returned " + f.rows() + " rows, fewer than the tiles' image tokens");
            }
            float[] mine = new float[p.tokens * f.width()];
            System.arraycopy(f.values(), row * f.width(), mine, 0, mine.length);
            out.put(p, mine);
            row += p.tokens;
        }
        if (row != f.rows()) {
            throw new IllegalStateException("vision encoder returned " + f.rows() + " rows for " + row + " image tokens");
        }
        return f.width();
    }
}
