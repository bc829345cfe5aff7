package io.vlmstreams.inference.generate;

import io.vlmstreams.inference.onnx.EmbedTokensSession;

import java.util.List;

/**
 * Token embeddings of a left-padded batch with image features merged in: the embedding at every
 * position holding the image token id is replaced, in order, by the next row of that sequence's
 * image features (upstream's masked_scatter).
 */
public final class InputEmbedder {

    private final EmbedTokensSession embed;
    private final long imageTokenId;

    public InputEmbedder(EmbedTokensSession embed, long imageTokenId) {
        this.embed = embed;
        this.imageTokenId = imageTokenId;
    }

    /** [batch, width, hidden] embeddings of {@code batch}; {@code inputs} give each row's image features. */
    public float[] embed(LeftPaddedBatch batch, List<SequenceInput> inputs) {
        float[] embeds = embed.embed(batch.ids(), batch.batch(), batch.width());
        int hidden = embeds.length / (batch.batch() * batch.width());
        for (int b = 0; b < batch.batch(); b++) {
            float[] features = inputs.get(b).imageFeatures();
            int next = 0;
            for (int c = batch.padding(b); c < batch.width(); c++) {
                if (batch.ids()[b * batch.width() + c] != imageTokenId) {
                    continue;
                }
                if ((next + 1) * hidden > features.length) {
                    throw new IllegalArgumentException("row " + b + " has more image tokens than image features ("
                            + features.length / hidden + " rows of " + hidden + ")");
                }
                System.arraycopy(features, next * hidden, embeds, (b * batch.width() + c) * hidden, hidden);
                next++;
            }
            if (next * hidden != features.length) {
                throw new IllegalArgumentException("row " + b + " has " + next + " image tokens but "
                        + features.length / hidden + " image feature rows");
            }
        }
        return embeds;
    }

    /** Embeddings of text-only rows, [batch, width, hidden] ({@code ids} row-major, no image tokens). */
    public float[] embedIds(long[] ids, int batch, int width) {
        return embed.embed(ids, batch, width);
    }

    /** Embeddings of one new token per row, [batch, 1, hidden]. */
    public float[] embedTokens(long[] tokens) {
        return embed.embed(tokens, tokens.length, 1);
    }
}
