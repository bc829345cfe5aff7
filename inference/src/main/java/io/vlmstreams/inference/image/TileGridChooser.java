package io.vlmstreams.inference.image;

import java.util.ArrayList;
import java.util.List;

/**
 * Upstream's tile grid choice ({@code _target_ratios} + {@code find_closest_aspect_ratio}): every
 * (cols, rows) with minTiles &lt;= cols*rows &lt;= maxTiles, sorted by tile count with ties in
 * CPython's set iteration order (upstream sorts {@code set(...)}), then the grid whose cols/rows
 * is closest to width/height; on an exact tie a later grid replaces the best so far when
 * {@code width*height > 0.5 * tile^2 * cols*rows}.
 */
public final class TileGridChooser {

    private TileGridChooser() {
    }

    /** A grid of tiles. */
    public record Grid(int cols, int rows) {
        public int tiles() {
            return cols * rows;
        }
    }

    /** The candidate grids in upstream's order. */
    public static List<Grid> candidates(int minTiles, int maxTiles) {
        List<long[]> pairs = new ArrayList<>();
        for (int n = minTiles; n <= maxTiles; n++) {
            for (int w = 1; w <= n; w++) {
                for (int h = 1; h <= n; h++) {
                    if (minTiles <= w * h && w * h <= maxTiles) {
                        pairs.add(new long[] {w, h});
                    }
                }
            }
        }
        List<long[]> ordered = PythonSetOrder.iterationOrder(pairs);
        List<Grid> grids = new ArrayList<>(ordered.size());
        for (long[] p : ordered) {
            grids.add(new Grid((int) p[0], (int) p[1]));
        }
        grids.sort((a, b) -> Integer.compare(a.tiles(), b.tiles())); // List.sort is stable, like Python's sorted
        return grids;
    }

    /** The grid upstream picks for an image of {@code width x height}. */
    public static Grid choose(int width, int height, int minTiles, int maxTiles, int tileSize) {
        double aspect = (double) width / height;
        long area = (long) width * height;
        double bestDiff = Double.POSITIVE_INFINITY;
        Grid best = new Grid(1, 1);
        for (Grid g : candidates(minTiles, maxTiles)) {
            double diff = Math.abs(aspect - (double) g.cols() / g.rows());
            if (diff < bestDiff) {
                bestDiff = diff;
                best = g;
            } else if (diff == bestDiff) {
                double targetArea = (double) tileSize * tileSize * g.cols() * g.rows();
                if (area > 0.5 * targetArea) {
                    best = g;
                }
            }
        }
        return best;
    }
}
