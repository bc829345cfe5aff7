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
 */
public final class ImageEncoder {

    private final VisionEncoderSession vision;
    private final int maxTiles;

    public ImageEncoder(VisionEncoderSession vision, int maxTiles) {
        this.vision = vision;
        this.maxTiles = maxTiles;
    }

    /** Features per image, in order: rows of text-hidden floats, one per image token. */
    public List<float[]> encode(List<ProcessedImage> images) {
        float[][] out = new float[images.size()][];
        Map<Integer, List<Integer>> byPadding = new LinkedHashMap<>();
        for (int i = 0; i < images.size(); i++) {
            byPadding.computeIfAbsent(images.get(i).maxPatches(), k -> new ArrayList<>()).add(i);
        }
        for (List<Integer> group : byPadding.values()) {
            List<Integer> call = new ArrayList<>();
            int tiles = 0;
            for (int i : group) {
                int t = images.get(i).tiles();
                if (!call.isEmpty() && tiles + t > maxTiles) {
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
}
