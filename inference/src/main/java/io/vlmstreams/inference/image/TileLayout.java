package io.vlmstreams.inference.image;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * How one image became tiles, and so how many image tokens stand for it in the prompt.
 *
 * @param rows            tile rows (1 when not tiled)
 * @param cols            tile columns (1 when not tiled)
 * @param tiled           whether the image was cut into a grid of {@code tileSize} tiles
 * @param thumbnail       whether a thumbnail of the whole image follows the grid tiles
 * @param height          height in pixels of the single tile, or of the thumbnail when tiled
 *                        (upstream's {@code image_sizes}; the smart-resized size)
 * @param width           width in pixels, likewise
 * @param tileSize        side of a grid tile in pixels
 * @param patchSize       encoder patch side in pixels
 * @param downsampleFactor pixel-unshuffle factor of the projector
 */
public record TileLayout(int rows, int cols, boolean tiled, boolean thumbnail, int height, int width,
                         int tileSize, int patchSize, int downsampleFactor) {

    /** Upstream's placeholder token texts (Lfm2VlProcessor defaults). */
    public static final String IMAGE_TOKEN = "<image>";
    public static final String IMAGE_START = "<|image_start|>";
    public static final String IMAGE_END = "<|image_end|>";
    public static final String IMAGE_THUMBNAIL = "<|img_thumbnail|>";

    /** Number of tiles handed to the vision encoder. */
    public int tiles() {
        return tiled ? rows * cols + (thumbnail ? 1 : 0) : 1;
    }

    /** Image tokens the projector yields per tile, in tile order (grid tiles row-major, then the thumbnail). */
    public List<Integer> imageTokensPerTile() {
        List<Integer> out = new ArrayList<>(tiles());
        if (tiled) {
            int perTile = tokens(tileSize, tileSize);
            for (int i = 0; i < rows * cols; i++) {
                out.add(perTile);
            }
            if (thumbnail) {
                out.add(tokens(height, width));
            }
        } else {
            out.add(tokens(height, width));
        }
        return Collections.unmodifiableList(out);
    }

    /** Total image tokens of this image. */
    public int imageTokens() {
        int sum = 0;
        for (int n : imageTokensPerTile()) {
            sum += n;
        }
        return sum;
    }

    /** Text of the row/col marker before grid tile (row, col), 1-based. */
    public static String tileMarker(int row, int col) {
        return "<|img_row_" + row + "_col_" + col + "|>";
    }

    /**
     * The text that replaces one {@code <image>} in the rendered prompt, as {@code Lfm2VlProcessor}
     * builds it: start marker, per grid tile a row/col marker and its image tokens, then the
     * thumbnail marker and its tokens, end marker. Tokenize it like any other text.
     */
    public String expand() {
        List<Integer> perTile = imageTokensPerTile();
        StringBuilder sb = new StringBuilder(imageTokens() * IMAGE_TOKEN.length() + 64 * perTile.size());
        sb.append(IMAGE_START);
        if (tiled) {
            int t = 0;
            for (int r = 1; r <= rows; r++) {
                for (int c = 1; c <= cols; c++) {
                    sb.append(tileMarker(r, c)).append(IMAGE_TOKEN.repeat(perTile.get(t++)));
                }
            }
            if (thumbnail) {
                sb.append(IMAGE_THUMBNAIL).append(IMAGE_TOKEN.repeat(perTile.get(t)));
            }
        } else {
            sb.append(IMAGE_TOKEN.repeat(perTile.get(0)));
        }
        return sb.append(IMAGE_END).toString();
    }

    /** ds(h) * ds(w) with ds(s) = ceil(floor(s / patch) / downsample). */
    private int tokens(int h, int w) {
        return ds(h) * ds(w);
    }

    private int ds(int side) {
        int patches = side / patchSize;
        return (patches + downsampleFactor - 1) / downsampleFactor;
    }
}
