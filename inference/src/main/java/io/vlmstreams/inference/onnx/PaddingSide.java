package io.vlmstreams.inference.onnx;

/**
 * Which end of a shorter row's attention cache (and mask) holds the padding when rows of different
 * lengths share decoder calls. Left padding keeps every row's newest position in the last column, as
 * a graph that applies the mask per position and takes {@code position_ids} needs. Right padding keeps
 * every row's real positions first, as {@code com.microsoft.GroupQueryAttention} needs: it reads a
 * row's length from {@code seqlens_k} (the mask sum) and writes the row's new key at that index.
 */
public enum PaddingSide {
    LEFT,
    RIGHT
}
