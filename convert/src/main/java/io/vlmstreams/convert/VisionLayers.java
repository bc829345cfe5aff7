package io.vlmstreams.convert;

import java.util.List;
import java.util.Map;

/**
 * The PyTorch layers the vision graphs are made of (nn.Linear, nn.LayerNorm, the GELU variants),
 * written as ONNX nodes with their weights read from the checkpoint under upstream names.
 */
final class VisionLayers {

    private VisionLayers() {
    }

    /**
     * nn.Linear: MatMul with the transposed weight (stored [in, out] under the upstream name, so
     * parameter counts and debugging read naturally), plus the bias when the checkpoint has one.
     */
    static String linear(OnnxGraphBuilder g, SafetensorsReader weights, String prefix, String x) {
        SafetensorsReader.Tensor w = weights.read(prefix + ".weight");
        if (w.shape().length != 2) {
            throw new IllegalArgumentException("'" + w.name() + "' is not a linear weight: rank " + w.shape().length);
        }
        int out = w.dim(0);
        int in = w.dim(1);
        float[] t = new float[w.data().length];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                t[i * out + o] = w.data()[o * in + i];
            }
        }
        String y = g.matmul(x, g.initializer(w.name(), t, in, out));
        String bias = prefix + ".bias";
        if (!weights.contains(bias)) {
            return y;
        }
        return g.add(y, g.initializer(bias, weights.read(bias, out).data(), out));
    }

    /** nn.LayerNorm over the last axis (ONNX LayerNormalization, opset 17+). */
    static String layerNorm(OnnxGraphBuilder g, SafetensorsReader weights, String prefix, double eps, String x) {
        SafetensorsReader.Tensor w = weights.read(prefix + ".weight");
        int n = w.dim(0);
        String scale = g.initializer(w.name(), w.data(), n);
        String bias = g.initializer(prefix + ".bias", weights.read(prefix + ".bias", n).data(), n);
        return g.op("LayerNormalization", List.of(x, scale, bias), Map.of("axis", -1L, "epsilon", (float) eps));
    }

    /** The activation named by a transformers {@code hidden_act} string. */
    static String activation(OnnxGraphBuilder g, String name, String x) {
        return switch (name) {
            case "gelu" -> geluErf(g, x);
            case "gelu_pytorch_tanh", "gelu_new", "gelu_fast" -> geluTanh(g, x);
            case "relu" -> g.op("Relu", x);
            case "silu", "swish" -> g.silu(x);
            default -> throw new IllegalArgumentException("unsupported activation '" + name + "'");
        };
    }

    /** Exact GELU, 0.5 x (1 + erf(x / sqrt 2)): torch's nn.GELU() default. */
    static String geluErf(OnnxGraphBuilder g, String x) {
        String erf = g.op("Erf", g.mul(x, g.scalar((float) (1.0 / Math.sqrt(2.0)))));
        return g.mul(g.mul(x, g.scalar(0.5f)), g.add(erf, g.scalar(1.0f)));
    }

    /** Tanh GELU, 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))); opset 18 has no Gelu op. */
    static String geluTanh(OnnxGraphBuilder g, String x) {
        String cube = g.mul(x, g.mul(x, x));
        String inner = g.mul(g.add(x, g.mul(cube, g.scalar(0.044715f))), g.scalar((float) Math.sqrt(2.0 / Math.PI)));
        return g.mul(g.mul(x, g.scalar(0.5f)), g.add(g.op("Tanh", inner), g.scalar(1.0f)));
    }
}
