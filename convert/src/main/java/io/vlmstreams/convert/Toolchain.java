package io.vlmstreams.convert;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.vlmstreams.convert.precision.Float16Io;
import io.vlmstreams.convert.precision.MatMulIntegerPass;
import io.vlmstreams.convert.precision.MatMulNBitsPass;
import io.vlmstreams.convert.precision.WeightMatMul;
import io.vlmstreams.inference.model.OnnxDtype;
import io.vlmstreams.inference.model.OnnxGraph;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * The tools that publish a layout's precisions, and so how each precision variant is made from
 * the fp32 graph and what its file is called (see {@code docs/published-exports.md}):
 * <ul>
 *   <li>{@link #TRANSFORMERS_JS} (onnx-community folders, {@code scripts/quantize.py}):
 *   {@code _fp16} float16 weights with float32 I/O; {@code _quantized} (q8), {@code _int8},
 *   {@code _uint8}: DynamicQuantizeLinear + MatMulInteger, per-tensor weights; {@code _q4}:
 *   MatMulNBits 4-bit, block 32, symmetric; {@code _q4f16}: q4, then the fp16 conversion.</li>
 *   <li>{@link #LIQUIDONNX} (LiquidAI folders, {@code liquidonnx}): {@code _fp16} float16
 *   activations, inputs and caches with float32 logits; {@code _q8} / {@code _q4}: MatMulNBits
 *   8 / 4-bit, block 32, symmetric, accuracy level 4, the LM head kept float; {@code embed_tokens}
 *   only in fp32 and fp16.</li>
 * </ul>
 * Only MatMuls whose B is a constant initializer (and bias-free Gemms, such as the tied LM head)
 * are quantized; Gather-based embeddings, convolutions and norms stay as they are.
 */
public enum Toolchain {
    TRANSFORMERS_JS,
    LIQUIDONNX;

    /** MatMulNBits block size both toolchains use. */
    public static final int BLOCK_SIZE = 32;

    /** How one precision is made: the file suffix before {@code .onnx} and the pass over the fp32 graph. */
    public record Recipe(OnnxDtype dtype, String suffix, UnaryOperator<ModelProto> pass) {
        public ModelProto apply(ModelProto fp32) {
            return pass.apply(fp32);
        }
    }

    private static final Predicate<WeightMatMul> NONE = m -> false;
    /** The LM head: the weight MatMul whose result becomes {@code logits}. */
    private static final Predicate<WeightMatMul> LM_HEAD = m -> "logits".equals(m.outputReached());

    private final Map<OnnxDtype, Recipe> recipes = new EnumMap<>(OnnxDtype.class);

    static {
        UnaryOperator<ModelProto> q4 = new MatMulNBitsPass(4, BLOCK_SIZE, 0, NONE);
        TRANSFORMERS_JS.add(OnnxDtype.FP32, "", UnaryOperator.identity());
        TRANSFORMERS_JS.add(OnnxDtype.FP16, "_fp16", m -> Float16Weights.convert(m, Float16Io.KEEP_FLOAT32));
        TRANSFORMERS_JS.add(OnnxDtype.Q8, "_quantized", new MatMulIntegerPass(MatMulIntegerPass.WeightType.BY_OPERATORS, NONE));
        TRANSFORMERS_JS.add(OnnxDtype.INT8, "_int8", new MatMulIntegerPass(MatMulIntegerPass.WeightType.INT8, NONE));
        TRANSFORMERS_JS.add(OnnxDtype.UINT8, "_uint8", new MatMulIntegerPass(MatMulIntegerPass.WeightType.UINT8, NONE));
        TRANSFORMERS_JS.add(OnnxDtype.Q4, "_q4", q4);
        TRANSFORMERS_JS.add(OnnxDtype.Q4F16, "_q4f16", m -> Float16Weights.convert(q4.apply(m), Float16Io.KEEP_FLOAT32));

        UnaryOperator<ModelProto> liquidQ4 = new MatMulNBitsPass(4, BLOCK_SIZE, 4, LM_HEAD);
        LIQUIDONNX.add(OnnxDtype.FP32, "", UnaryOperator.identity());
        LIQUIDONNX.add(OnnxDtype.FP16, "_fp16", m -> Float16Weights.convert(m, Float16Io.FULL));
        LIQUIDONNX.add(OnnxDtype.Q8, "_q8", new MatMulNBitsPass(8, BLOCK_SIZE, 4, LM_HEAD));
        LIQUIDONNX.add(OnnxDtype.Q4, "_q4", liquidQ4);
        LIQUIDONNX.add(OnnxDtype.Q4F16, "_q4f16", m -> Float16Weights.convert(liquidQ4.apply(m), Float16Io.FULL));
    }

    private void add(OnnxDtype dtype, String suffix, UnaryOperator<ModelProto> pass) {
        if (!dtype.suffixes().contains(suffix)) {
            throw new IllegalStateException(suffix + " is not a file suffix readers know for " + dtype);
        }
        recipes.put(dtype, new Recipe(dtype, suffix, pass));
    }

    /** The precisions this toolchain writes, in {@link OnnxDtype} order. */
    public List<OnnxDtype> dtypes() {
        return List.copyOf(recipes.keySet());
    }

    /** How {@code dtype} is made; a short error naming the precisions there are when it is not one of them. */
    public Recipe recipe(OnnxDtype dtype) {
        Recipe r = recipes.get(dtype);
        if (r == null) {
            throw new IllegalArgumentException("the converter writes " + dtypes().stream().map(OnnxDtype::label)
                    .collect(Collectors.joining(", ")) + " for this layout, not " + dtype);
        }
        return r;
    }

    /** Whether {@code graph} is written in {@code dtype}: LiquidAI publishes {@code embed_tokens} in fp32 and fp16 only. */
    public boolean writes(OnnxGraph graph, OnnxDtype dtype) {
        return this != LIQUIDONNX || graph != OnnxGraph.EMBED_TOKENS || dtype == OnnxDtype.FP32 || dtype == OnnxDtype.FP16;
    }
}
