package io.vlmstreams.inference.image;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Iteration order of a CPython (3.8 to 3.13, 64-bit) {@code set} built from a list of tuples of
 * small non-negative ints. Upstream sorts {@code set(ratios)} by tile count, so grids with the
 * same count come out in hash-table order; reproducing it keeps the tie rule of the grid choice
 * exact. Models {@code set_add_entry}/{@code set_table_resize}/{@code set_insert_clean} from
 * {@code Objects/setobject.c} and the xxHash-based {@code tuplehash} from {@code Objects/tupleobject.c}.
 */
final class PythonSetOrder {

    private static final int LINEAR_PROBES = 9;
    private static final int PERTURB_SHIFT = 5;
    private static final int MIN_SIZE = 8;
    private static final long XXPRIME_1 = 0x9E3779B185EBCA87L;
    private static final long XXPRIME_2 = 0xC2B2AE3D27D4EB4FL;
    private static final long XXPRIME_5 = 0x27D4EB2F165667C5L;

    private PythonSetOrder() {
    }

    /** The distinct tuples of {@code items} in the order {@code iter(set(items))} yields them. */
    static List<long[]> iterationOrder(List<long[]> items) {
        long[][] table = new long[MIN_SIZE][];
        long[] hashes = new long[MIN_SIZE];
        int fill = 0;
        for (long[] item : items) {
            long hash = tupleHash(item);
            int mask = table.length - 1;
            int slot = findSlot(table, hashes, hash, item, mask);
            if (table[slot] != null) {
                continue; // already present
            }
            table[slot] = item;
            hashes[slot] = hash;
            fill++;
            if ((long) fill * 5 >= (long) mask * 3) {
                int newSize = MIN_SIZE;
                long minUsed = fill > 50_000 ? fill * 2L : fill * 4L;
                while (newSize <= minUsed) {
                    newSize <<= 1;
                }
                long[][] newTable = new long[newSize][];
                long[] newHashes = new long[newSize];
                for (int i = 0; i < table.length; i++) {
                    if (table[i] != null) {
                        int s = findSlot(newTable, newHashes, hashes[i], null, newSize - 1);
                        newTable[s] = table[i];
                        newHashes[s] = hashes[i];
                    }
                }
                table = newTable;
                hashes = newHashes;
            }
        }
        List<long[]> out = new ArrayList<>(fill);
        for (long[] e : table) {
            if (e != null) {
                out.add(e);
            }
        }
        return out;
    }

    /** The slot holding an equal key, or the first free slot on the probe sequence (key null: free slot only). */
    private static int findSlot(long[][] table, long[] hashes, long hash, long[] key, int mask) {
        long perturb = hash;
        int i = (int) (hash & mask);
        while (true) {
            int probes = (i + LINEAR_PROBES <= mask) ? LINEAR_PROBES : 0;
            int j = i;
            do {
                if (table[j] == null) {
                    return j;
                }
                if (key != null && hashes[j] == hash && Arrays.equals(table[j], key)) {
                    return j;
                }
                j++;
            } while (probes-- > 0);
            perturb >>>= PERTURB_SHIFT;
            i = (int) ((i * 5L + 1 + perturb) & mask);
        }
    }

    /** CPython's {@code tuplehash} for a tuple of ints in [0, 2^61 - 1) (an int hashes to itself there). */
    static long tupleHash(long[] items) {
        long acc = XXPRIME_5;
        for (long lane : items) {
            acc += lane * XXPRIME_2;
            acc = Long.rotateLeft(acc, 31);
            acc *= XXPRIME_1;
        }
        acc += items.length ^ (XXPRIME_5 ^ 3527539L);
        return acc == -1L ? 1546275796L : acc;
    }
}
