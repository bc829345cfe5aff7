package io.vlmstreams.cli.kernel;

import io.vlmstreams.inference.model.GraphInfo;
import io.vlmstreams.inference.model.GraphNode;
import io.vlmstreams.inference.model.OperatorType;
import io.vlmstreams.inference.model.TensorDecl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The weight MatMuls of a graph, read from its {@link GraphInfo} (node attributes and initializer
 * shapes, no weight data): MatMul and Gemm whose B is a 2-D initializer (directly or through the
 * Cast of an fp16-stored weight), MatMulInteger with an initializer B, and MatMulNBits (K and N are
 * attributes). Attention's QK and AV products (both operands computed), convolutions and Gather
 * embeddings are not weight MatMuls and are left out; so are nodes inside If/Loop bodies, which a
 * merged export would otherwise count twice.
 */
public final class GraphMatMuls {

    private static final OperatorType MATMUL = OperatorType.onnx("MatMul");
    private static final OperatorType GEMM = OperatorType.onnx("Gemm");
    private static final OperatorType MATMUL_INTEGER = OperatorType.onnx("MatMulInteger");
    private static final OperatorType MATMUL_NBITS = OperatorType.microsoft("MatMulNBits");
    private static final OperatorType CAST = OperatorType.onnx("Cast");

    private GraphMatMuls() {
    }

    /**
     * The vision encoder's weight MatMuls: projector nodes (named {@code projector...} or with a
     * {@code multi_modal_projector} weight, as both the converter and upstream name them) take one row
     * per image token, the rest one per patch. {@code projectorOnly}: a split export's projector graph.
     */
    public static List<WeightShape> vision(GraphInfo g, boolean projectorOnly) {
        return read(g, (node, weight, n) -> projectorOnly || node.name().startsWith("projector")
                || weight.contains("multi_modal_projector") ? WeightShape.Rows.IMAGE_TOKEN : WeightShape.Rows.ITEM);
    }

    /** The decoder's weight MatMuls: the one with {@code vocabSize} outputs is the LM head, the rest take one row per token. */
    public static List<WeightShape> decoder(GraphInfo g, long vocabSize) {
        return read(g, (node, weight, n) -> n == vocabSize ? WeightShape.Rows.HEAD : WeightShape.Rows.ITEM);
    }

    private interface RowsRule {
        WeightShape.Rows of(GraphNode node, String weight, long n);
    }

    private static List<WeightShape> read(GraphInfo g, RowsRule rule) {
        Map<String, GraphNode> producers = new HashMap<>();
        for (GraphNode n : g.nodes()) {
            if (n.depth() == 0) {
                n.outputs().forEach(o -> producers.put(o, n));
            }
        }
        boolean fp16 = g.inputs().stream().anyMatch(t -> t.elementType().equals("float16"));
        List<WeightShape> out = new ArrayList<>();
        for (GraphNode node : g.nodes()) {
            if (node.depth() != 0) {
                continue;
            }
            String b = node.input(1);
            if (node.op().equals(MATMUL_NBITS)) {
                long k = node.intAttributes().getOrDefault("K", 0L);
                long n = node.intAttributes().getOrDefault("N", 0L);
                int bits = node.intAttributes().getOrDefault("bits", 4L).intValue();
                Kernel kernel = new Kernel(Kernel.MATMUL_NBITS, "q" + bits, bits,
                        node.intAttributes().getOrDefault("block_size", 32L).intValue(),
                        node.intAttributes().getOrDefault("accuracy_level", 0L).intValue(), fp16);
                out.add(new WeightShape(node.label(), kernel, k, n, rule.of(node, b, n)));
            } else if (node.op().equals(MATMUL_INTEGER)) {
                Optional<TensorDecl> w = matrix(g, b);
                if (w.isPresent()) {
                    long k = dim(w.get(), 0);
                    long n = dim(w.get(), 1);
                    out.add(new WeightShape(node.label(), new Kernel(Kernel.MATMUL_INTEGER, w.get().elementType(), 0, 0, 0, fp16),
                            k, n, rule.of(node, b, n)));
                }
            } else if (node.op().equals(MATMUL) || node.op().equals(GEMM)) {
                Optional<TensorDecl> w = matrix(g, b);
                GraphNode cast = producers.get(b);
                if (w.isEmpty() && cast != null && cast.op().equals(CAST)) {
                    w = matrix(g, cast.input(0)); // an fp16-stored weight cast back to float32
                }
                if (w.isEmpty() || !w.get().elementType().startsWith("float")) {
                    continue;
                }
                boolean transB = node.op().equals(GEMM) && node.intAttributes().getOrDefault("transB", 0L) == 1;
                long k = dim(w.get(), transB ? 1 : 0);
                long n = dim(w.get(), transB ? 0 : 1);
                out.add(new WeightShape(node.label(), new Kernel(Kernel.MATMUL, w.get().elementType(), 0, 0, 0, fp16),
                        k, n, rule.of(node, b, n)));
            }
        }
        return out;
    }

    private static Optional<TensorDecl> matrix(GraphInfo g, String name) {
        return g.initializer(name).filter(t -> t.shape().size() == 2);
    }

    private static long dim(TensorDecl t, int i) {
        return Long.parseLong(t.shape().get(i));
    }
}
