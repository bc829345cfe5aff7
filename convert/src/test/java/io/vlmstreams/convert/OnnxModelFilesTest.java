package io.vlmstreams.convert;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class OnnxModelFilesTest {

    private static final int N = 3000;

    /** y = x * big + small: one initializer above any threshold, one tiny one. */
    private static ModelProto model() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("t");
        String x = g.input("x", OnnxMl.TensorProto.DataType.FLOAT, N);
        float[] big = new float[N];
        for (int i = 0; i < N; i++) {
            big[i] = (float) Math.sin(i) * 3;
        }
        String w = g.initializer("big", big, N);
        String b = g.initializer("small", new float[] {0.5f, -0.25f}, 2);
        String sum = g.op("ReduceSum", g.mul(x, w));
        g.output(g.add(sum, b), "y", OnnxMl.TensorProto.DataType.FLOAT, 2);
        return g.build("test");
    }

    private static float[] run(Path file) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[] x = new float[N];
        for (int i = 0; i < N; i++) {
            x[i] = (i % 7) / 7f;
        }
        try (OrtSession s = env.createSession(file.toString(), new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(env, x);
             OrtSession.Result r = s.run(Map.of("x", in))) {
            return ((float[]) r.get(0).getValue()).clone();
        }
    }

    @Test
    void largeInitializersGoToOneAlignedExternalFileThatOnnxRuntimeReads(@TempDir Path tmp) throws Exception {
        float[] inline = run(OnnxModelFiles.save(model(), tmp.resolve("inline.onnx"), Long.MAX_VALUE).onnxFile());

        OnnxModelFiles.SavedModel saved = OnnxModelFiles.save(model(), tmp.resolve("m.onnx"), 64);

        assertThat(saved.dataFile()).isEqualTo(tmp.resolve("m.onnx_data"));
        assertThat(saved.externalTensors()).isEqualTo(1);
        assertThat(Files.size(saved.dataFile())).isEqualTo(N * 4L);
        ModelProto written = ModelProto.parseFrom(Files.readAllBytes(saved.onnxFile()));
        TensorProto big = written.getGraph().getInitializerList().stream()
                .filter(t -> t.getName().equals("big")).findFirst().orElseThrow();
        assertThat(big.getDataLocation()).isEqualTo(TensorProto.DataLocation.EXTERNAL);
        assertThat(big.getRawData().isEmpty()).isTrue();
        assertThat(big.getExternalDataList()).extracting(e -> e.getKey() + "=" + e.getValue())
                .containsExactly("location=m.onnx_data", "offset=0", "length=" + N * 4);
        assertThat(Files.size(saved.onnxFile())).isLessThan(1000);
        assertThat(run(saved.onnxFile())).containsExactly(inline);
    }

    @Test
    void secondTensorStartsOnTheAlignmentBoundaryAndAStaleDataFileIsRemoved(@TempDir Path tmp) throws Exception {
        ModelProto two = model().toBuilder().setGraph(model().getGraph().toBuilder()
                .addInitializer(model().getGraph().getInitializer(0).toBuilder().setName("unused"))).build();
        OnnxModelFiles.SavedModel saved = OnnxModelFiles.save(two, tmp.resolve("m.onnx"), 64);
        assertThat(saved.externalTensors()).isEqualTo(2);
        assertThat(Files.size(tmp.resolve("m.onnx_data"))).isEqualTo(3L * OnnxModelFiles.ALIGNMENT + N * 4L); // 12000 bytes, then the next 4 KiB boundary

        OnnxModelFiles.SavedModel again = OnnxModelFiles.save(model(), tmp.resolve("m.onnx"), Long.MAX_VALUE);
        assertThat(again.hasExternalData()).isFalse();
        assertThat(tmp.resolve("m.onnx_data")).doesNotExist();
    }

    @Test
    void fp16StoresLargeWeightsAsHalvesBehindCastsAndKeepsFloatInputsAndOutputs(@TempDir Path tmp) throws Exception {
        float[] full = run(OnnxModelFiles.save(model(), tmp.resolve("m.onnx"), Long.MAX_VALUE).onnxFile());
        ModelProto half = Float16Weights.convert(model());

        assertThat(half.getGraph().getInitializerList()).extracting(TensorProto::getName, TensorProto::getDataType)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("big" + Float16Weights.SUFFIX, TensorProto.DataType.FLOAT16_VALUE),
                        org.assertj.core.groups.Tuple.tuple("small", TensorProto.DataType.FLOAT_VALUE));
        assertThat(half.getGraph().getNode(0).getOpType()).isEqualTo("Cast");
        assertThat(half.getGraph().getInput(0)).isEqualTo(model().getGraph().getInput(0));
        assertThat(half.getGraph().getOutput(0)).isEqualTo(model().getGraph().getOutput(0));

        float[] approx = run(OnnxModelFiles.save(half, tmp.resolve("m_fp16.onnx"), 64).onnxFile());
        for (int i = 0; i < full.length; i++) {
            assertThat(approx[i]).isCloseTo(full[i], within(Math.abs(full[i]) * 2e-3f + 0.05f));
        }
    }
}
