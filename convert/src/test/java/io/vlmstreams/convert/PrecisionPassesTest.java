package io.vlmstreams.convert;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.vlmstreams.convert.precision.BlockQuantized;
import io.vlmstreams.convert.precision.BlockQuantizer;
import io.vlmstreams.convert.precision.Float16Io;
import io.vlmstreams.convert.precision.MatMulIntegerPass;
import io.vlmstreams.convert.precision.MatMulNBitsPass;
import io.vlmstreams.convert.precision.Tensors;
import io.vlmstreams.convert.precision.WeightMatMul;
import io.vlmstreams.convert.precision.WeightMatMuls;
import io.vlmstreams.devstack.Fixtures;
import io.vlmstreams.inference.model.Lfm2VlConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The precision passes as ONNX Runtime runs them: MatMulNBits computes A times the weights this
 * project's packing dequantizes to, MatMulInteger computes the dynamic-quantization product of
 * ONNX's formulas (so ORT reads the bytes as written), a whole q4 decoder equals the fp32 decoder
 * on its dequantized weights, and the float16 conversion changes the interface as asked.
 */
class PrecisionPassesTest {

    private static final int ROWS = 6;

    /** y = x B (MatMul, B [K, N]) or x B^T (Gemm transB, table [N, K]); x [ROWS, K]. */
    private static ModelProto linear(int k, int n, boolean gemm, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] w = new float[k * n];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (random.nextGaussian() * 0.3);
        }
        OnnxGraphBuilder g = new OnnxGraphBuilder("linear");
        String x = g.input("x", TensorProto.DataType.FLOAT, "rows", k);
        String b = g.initializer("w", w, gemm ? new long[] {n, k} : new long[] {k, n});
        g.output(gemm ? g.gemm(x, b, false, true) : g.matmul(x, b), "y", TensorProto.DataType.FLOAT, "rows", n);
        return g.build("test");
    }

    private static float[] input(int k, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[ROWS * k];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextGaussian() * 2);
        }
        return x;
    }

    private static float[] run(ModelProto model, float[] x, int k) throws OrtException {
        try (OrtSession s = GraphRuns.ENV.createSession(model.toByteArray(), new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(GraphRuns.ENV, FloatBuffer.wrap(x), new long[] {ROWS, k});
             OrtSession.Result r = s.run(Map.of("x", in))) {
            return GraphRuns.floats((OnnxTensor) r.get("y").orElseThrow());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"4 matmul", "8 matmul", "4 gemm", "8 gemm"})
    void matMulNBitsComputesATimesTheDequantizedWeights(String spec) throws OrtException {
        int bits = Integer.parseInt(spec.split(" ")[0]);
        boolean gemm = spec.endsWith("gemm");
        int k = 80; // two full blocks and a short one
        int n = 24;
        ModelProto fp32 = linear(k, n, gemm, 11);
        WeightMatMul m = WeightMatMuls.find(fp32.getGraph()).get(0);
        assertThat(m.transposed()).isEqualTo(gemm);
        BlockQuantized q = m.blockQuantized(bits, 32);

        ModelProto quantized = new MatMulNBitsPass(bits, 32, 0, w -> false).apply(fp32);
        NodeProto node = quantized.getGraph().getNode(0);
        assertThat(node.getOpType()).isEqualTo("MatMulNBits");
        assertThat(node.getDomain()).isEqualTo("com.microsoft");
        assertThat(node.getAttributeList()).extracting(a -> a.getName() + "=" + a.getI())
                .containsExactly("K=" + k, "N=" + n, "bits=" + bits, "block_size=32");
        String base = gemm ? "w_T" : "w";
        assertThat(quantized.getGraph().getInitializerList()).extracting(TensorProto::getName)
                .containsExactly(base + "_Q" + bits, base + "_scales");
        assertThat(quantized.getGraph().getInitializer(0).getDimsList()).containsExactly((long) n, 3L, 32L * bits / 8);

        float[] x = input(k, 5);
        float[] actual = run(quantized, x, k);
        float[] expected = new float[ROWS * n];
        double scale = 0;
        for (int r = 0; r < ROWS; r++) {
            for (int c = 0; c < n; c++) {
                double sum = 0;
                for (int i = 0; i < k; i++) {
                    sum += x[r * k + i] * (double) q.dequantize(i, c);
                }
                expected[r * n + c] = (float) sum;
                scale = Math.max(scale, Math.abs(sum));
            }
        }
        GraphRuns.Diff d = GraphRuns.Diff.of(actual, expected);
        System.out.printf("MatMulNBits %s: max |ORT - x dequant(B)| %.3g (largest output %.3g)%n", spec, d.maxAbs(), scale);
        assertThat(d.maxRel()).isLessThanOrEqualTo(1e-5);
        // and the quantization is close to the float weights it replaced: within a few steps over K terms
        GraphRuns.Diff vsFloat = GraphRuns.Diff.of(actual, run(fp32, x, k));
        assertThat(vsFloat.maxRel()).isLessThanOrEqualTo(bits == 4 ? 0.1 : 0.01);
    }

    @ParameterizedTest
    @ValueSource(strings = {"UINT8 matmul", "INT8 matmul", "UINT8 gemm"})
    void matMulIntegerComputesTheDynamicQuantizationProduct(String spec) throws OrtException {
        MatMulIntegerPass.WeightType type = MatMulIntegerPass.WeightType.valueOf(spec.split(" ")[0]);
        boolean gemm = spec.endsWith("gemm");
        int k = 48;
        int n = 20;
        ModelProto fp32 = linear(k, n, gemm, 3);
        ModelProto quantized = new MatMulIntegerPass(type, w -> false).apply(fp32);
        assertThat(quantized.getGraph().getNodeList()).extracting(NodeProto::getOpType)
                .containsExactly("DynamicQuantizeLinear", "MatMulInteger", "Cast", "Mul", "Mul", "Identity");
        Map<String, TensorProto> init = initializers(quantized);
        TensorProto levels = init.get(gemm ? "w_T_quantized" : "w_quantized");
        assertThat(levels.getDimsList()).containsExactly((long) k, (long) n);
        assertThat(levels.getDataType()).isEqualTo(type == MatMulIntegerPass.WeightType.INT8
                ? TensorProto.DataType.INT8_VALUE : TensorProto.DataType.UINT8_VALUE);
        float bScale = Tensors.floatArray(init.get(levels.getName().replace("_quantized", "_scale")))[0];
        byte bZero = init.get(levels.getName().replace("_quantized", "_zero_point")).getRawData().byteAt(0);
        boolean signed = type == MatMulIntegerPass.WeightType.INT8;

        float[] x = input(k, 9);
        float[] actual = run(quantized, x, k);
        // DynamicQuantizeLinear: uint8 over [min(x, 0), max(x, 0)], zero point saturate(round(-min / scale))
        float min = 0;
        float max = 0;
        for (float v : x) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        float aScale = (max - min) / 255f;
        int aZero = (int) Math.max(0, Math.min(255, Math.rint(-min / aScale)));
        byte[] b = levels.getRawData().toByteArray();
        float[] expected = new float[ROWS * n];
        for (int r = 0; r < ROWS; r++) {
            for (int c = 0; c < n; c++) {
                long sum = 0;
                for (int i = 0; i < k; i++) {
                    int qa = (int) Math.max(0, Math.min(255, Math.rint(x[r * k + i] / aScale) + aZero));
                    int qb = signed ? b[i * n + c] : b[i * n + c] & 0xff;
                    sum += (long) (qa - aZero) * (qb - (signed ? bZero : bZero & 0xff));
                }
                expected[r * n + c] = sum * (aScale * bScale);
            }
        }
        GraphRuns.Diff d = GraphRuns.Diff.of(actual, expected);
        System.out.printf("MatMulInteger %s: max |ORT - integer product| %.3g%n", spec, d.maxAbs());
        assertThat(d.maxRel()).isLessThanOrEqualTo(1e-5);
        assertThat(GraphRuns.Diff.of(actual, run(fp32, x, k)).maxRel()).isLessThanOrEqualTo(0.03);
    }

    @Test
    void aQ4DecoderEqualsTheFp32DecoderOnItsDequantizedWeights() throws Exception {
        Lfm2VlConfig cfg = Lfm2VlConfig.read(Fixtures.tinyCheckpoint().resolve("config.json"));
        ModelProto fp32;
        try (SafetensorsReader weights = SafetensorsReader.open(Fixtures.tinyCheckpoint())) {
            fp32 = DecoderGraphs.decoderMerged(cfg, weights);
        }
        ModelProto q4 = Toolchain.TRANSFORMERS_JS.recipe(io.vlmstreams.inference.model.OnnxDtype.Q4).apply(fp32);
        List<WeightMatMul> matmuls = WeightMatMuls.find(fp32.getGraph());
        assertThat(q4.getGraph().getNodeList()).filteredOn(n -> n.getOpType().equals("MatMulNBits")).hasSize(matmuls.size());
        // the LM head (a Gemm against the tied table) is one of them
        assertThat(matmuls).anyMatch(m -> m.transposed() && "logits".equals(m.outputReached()));
        assertThat(q4.getGraph().getNodeList()).noneMatch(n -> n.getOpType().equals("Gemm"));

        // fp32 graph whose weights are replaced by what the packed bytes dequantize to
        OnnxMl.GraphProto.Builder g = fp32.getGraph().toBuilder();
        for (WeightMatMul m : matmuls) {
            BlockQuantized q = m.blockQuantized(4, 32);
            float[] stored = new float[m.k() * m.n()];
            for (int r = 0; r < m.k(); r++) {
                for (int c = 0; c < m.n(); c++) {
                    stored[m.transposed() ? c * m.k() + r : r * m.n() + c] = q.dequantize(r, c);
                }
            }
            for (int i = 0; i < g.getInitializerCount(); i++) {
                if (g.getInitializer(i).getName().equals(m.weightName())) {
                    g.setInitializer(i, Tensors.floatTensor(m.weightName(), stored, g.getInitializer(i).getDimsList()
                            .stream().mapToLong(Long::longValue).toArray()));
                }
            }
        }
        ModelProto dequantized = fp32.toBuilder().setGraph(g).build();

        int hidden = cfg.text().hiddenSize();
        SplittableRandom random = new SplittableRandom(1);
        float[] prompt = new float[20 * hidden];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = (float) random.nextGaussian();
        }
        try (OrtSession a = GraphRuns.ENV.createSession(q4.toByteArray(), new OrtSession.SessionOptions());
             OrtSession b = GraphRuns.ENV.createSession(dequantized.toByteArray(), new OrtSession.SessionOptions())) {
            GraphRuns.Decoder da = new GraphRuns.Decoder(a, hidden);
            GraphRuns.Decoder db = new GraphRuns.Decoder(b, hidden);
            GraphRuns.Diff d = GraphRuns.Diff.of(da.step(prompt, 20), db.step(prompt, 20));
            for (int step = 0; step < 4; step++) {
                float[] token = java.util.Arrays.copyOfRange(prompt, step * hidden, (step + 1) * hidden);
                d = d.max(GraphRuns.Diff.of(da.step(token, 1), db.step(token, 1)));
            }
            System.out.printf("q4 decoder vs fp32 decoder on dequantized weights: max abs %.3g, max rel %.3g%n", d.maxAbs(), d.maxRel());
            assertThat(d.maxRel()).isLessThanOrEqualTo(1e-4);
        }
    }

    @Test
    void keptMatMulsStayFloatAndSharedWeightsArePackedOnce() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("two");
        String x = g.input("x", TensorProto.DataType.FLOAT, "rows", 32);
        String w = g.initializer("w", new float[32 * 32], 32, 32);
        String h = g.matmul(g.matmul(x, w), w);
        String head = g.initializer("head", new float[32 * 32], 32, 32);
        g.output(g.reshape(g.matmul(h, head), -1, 32), "logits", TensorProto.DataType.FLOAT, "rows", 32);
        ModelProto model = g.build("test");
        ModelProto q = new MatMulNBitsPass(8, 32, 4, m -> "logits".equals(m.outputReached())).apply(model);
        assertThat(q.getGraph().getNodeList()).extracting(NodeProto::getOpType).containsSubsequence("MatMulNBits", "MatMulNBits", "MatMul");
        assertThat(q.getGraph().getInitializerList()).extracting(TensorProto::getName).containsExactlyInAnyOrder("head", "w_Q8", "w_scales");
        assertThat(q.getGraph().getNodeList()).filteredOn(n -> n.getOpType().equals("MatMulNBits"))
                .allSatisfy(n -> assertThat(n.getAttributeList()).anyMatch(a -> a.getName().equals("accuracy_level") && a.getI() == 4));
        assertThat(q.getOpsetImportList()).anyMatch(o -> o.getDomain().equals("com.microsoft") && o.getVersion() == 1);
    }

    @Test
    void float16ActivationsKeepOnlyTheNamedInterfaceFloat32() throws Exception {
        Lfm2VlConfig cfg = Lfm2VlConfig.read(Fixtures.tinyCheckpoint().resolve("config.json"));
        ModelProto fp32;
        try (SafetensorsReader weights = SafetensorsReader.open(Fixtures.tinyCheckpoint())) {
            fp32 = DecoderGraphs.decoderMerged(cfg, weights);
        }
        ModelProto half = Float16Weights.convert(fp32, Float16Io.FULL);
        Map<String, Integer> inputs = types(half.getGraph().getInputList());
        Map<String, Integer> outputs = types(half.getGraph().getOutputList());
        assertThat(inputs).containsEntry("inputs_embeds", TensorProto.DataType.FLOAT16_VALUE)
                .containsEntry("past_conv.0", TensorProto.DataType.FLOAT16_VALUE)
                .containsEntry("past_key_values.1.key", TensorProto.DataType.FLOAT16_VALUE)
                .containsEntry("attention_mask", TensorProto.DataType.INT64_VALUE);
        assertThat(outputs).containsEntry("logits", TensorProto.DataType.FLOAT_VALUE)
                .containsEntry("present.1.value", TensorProto.DataType.FLOAT16_VALUE);
        assertThat(half.getGraph().getInitializerList()).noneMatch(t -> t.getDataType() == TensorProto.DataType.FLOAT_VALUE);
        assertThat(half.getGraph().getNodeList()).filteredOn(n -> n.getOpType().equals("Cast"))
                .noneMatch(n -> n.getAttribute(0).getI() == TensorProto.DataType.FLOAT_VALUE && !n.getOutput(0).equals("logits"));

        ModelProto keptEmbeds = Float16Weights.convert(fp32, Float16Io.full("logits", "inputs_embeds"));
        assertThat(types(keptEmbeds.getGraph().getInputList())).containsEntry("inputs_embeds", TensorProto.DataType.FLOAT_VALUE);
        try (OrtSession s = GraphRuns.ENV.createSession(keptEmbeds.toByteArray(), new OrtSession.SessionOptions())) {
            assertThat(s.getInputNames()).contains("inputs_embeds");
        }
        // a dynamically quantized graph cannot compute in float16: DynamicQuantizeLinear takes float32 only
        ModelProto q8 = new MatMulIntegerPass(MatMulIntegerPass.WeightType.UINT8, m -> false).apply(fp32);
        assertThatThrownBy(() -> Float16Weights.convert(q8, Float16Io.FULL)).hasMessageContaining("DynamicQuantizeLinear");
    }

    private static Map<String, Integer> types(List<OnnxMl.ValueInfoProto> values) {
        Map<String, Integer> out = new java.util.HashMap<>();
        values.forEach(v -> out.put(v.getName(), v.getType().getTensorType().getElemType()));
        return out;
    }

    private static Map<String, TensorProto> initializers(ModelProto model) {
        Map<String, TensorProto> out = new java.util.HashMap<>();
        model.getGraph().getInitializerList().forEach(t -> out.put(t.getName(), t));
        return out;
    }
}
