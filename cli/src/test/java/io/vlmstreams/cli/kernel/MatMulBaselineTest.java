package io.vlmstreams.cli.kernel;

import io.vlmstreams.inference.model.GraphInfo;
import io.vlmstreams.inference.model.GraphNode;
import io.vlmstreams.inference.model.OperatorType;
import io.vlmstreams.inference.onnx.RuntimeConfig;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The baseline graph of each kernel has that kernel's operator and parameters, reads back as it, and runs in ONNX Runtime. */
class MatMulBaselineTest {

    @TempDir
    Path temp;

    static Stream<Kernel> kernels() {
        return Stream.of(Kernel.fp32(),
                new Kernel(Kernel.MATMUL, "float16", 0, 0, 0, false),
                new Kernel(Kernel.MATMUL_INTEGER, "uint8", 0, 0, 0, false),
                new Kernel(Kernel.MATMUL_INTEGER, "int8", 0, 0, 0, false),
                new Kernel(Kernel.MATMUL_NBITS, "q4", 4, 32, 0, false),
                new Kernel(Kernel.MATMUL_NBITS, "q4", 4, 32, 4, false),
                new Kernel(Kernel.MATMUL_NBITS, "q8", 8, 32, 4, false));
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void theBaselineGraphRunsTheStagesKernel(Kernel kernel) throws Exception {
        Path file = temp.resolve("baseline.onnx");
        Files.write(file, MatMulBaseline.graph(kernel, 64, 96).toByteArray());
        GraphInfo g = GraphInfo.read(file);

        List<WeightShape> read = GraphMatMuls.decoder(g, -1);
        assertThat(read).singleElement().satisfies(w -> {
            assertThat(w.kernel()).isEqualTo(kernel);
            assertThat(w.k()).isEqualTo(64);
            assertThat(w.n()).isEqualTo(96);
        });
        OperatorType op = kernel.op().equals(Kernel.MATMUL_NBITS) ? OperatorType.microsoft(kernel.op()) : OperatorType.onnx(kernel.op());
        GraphNode node = g.nodesOf(op).get(0);
        if (kernel.op().equals(Kernel.MATMUL_NBITS)) {
            assertThat(node.intAttributes()).containsEntry("bits", (long) kernel.bits())
                    .containsEntry("block_size", (long) kernel.blockSize());
            assertThat(node.intAttributes().getOrDefault("accuracy_level", 0L)).isEqualTo(kernel.accuracyLevel());
        }
        if (kernel.op().equals(Kernel.MATMUL_INTEGER)) {
            assertThat(g.uses(OperatorType.onnx("DynamicQuantizeLinear"))).isTrue();
        }

        try (MatMulBaseline baseline = new MatMulBaseline(RuntimeConfig.cpu().withIntraOpThreads(1))) {
            Map<Long, Double> rates = baseline.gflops(kernel, 64, 96, List.of(1L, 16L));
            assertThat(rates).containsOnlyKeys(1L, 16L);
            assertThat(rates.values()).allSatisfy(r -> assertThat(r).isPositive().isFinite());
        }
    }

    /** The float16 forms the converter makes: fp16 MatMuls and q4f16/q8 MatMulNBits (never MatMulInteger: DynamicQuantizeLinear is float32 only). */
    static Stream<Kernel> float16Kernels() {
        return kernels().filter(k -> !k.op().equals(Kernel.MATMUL_INTEGER));
    }

    @ParameterizedTest
    @MethodSource("float16Kernels")
    void theFloat16FormComputesInFloat16BehindFloat32Io(Kernel base) throws Exception {
        Kernel kernel = new Kernel(base.op(), base.weightType(), base.bits(), base.blockSize(), base.accuracyLevel(), true);
        Path file = temp.resolve("baseline16.onnx");
        Files.write(file, MatMulBaseline.graph(kernel, 64, 96).toByteArray());
        GraphInfo g = GraphInfo.read(file);

        assertThat(g.input("A").orElseThrow().elementType()).isEqualTo("float32");
        assertThat(g.output("Y").orElseThrow().elementType()).isEqualTo("float32");
        assertThat(g.initializerDecls().values()).anySatisfy(t -> assertThat(t.elementType()).isEqualTo("float16"));
        try (MatMulBaseline baseline = new MatMulBaseline(RuntimeConfig.cpu().withIntraOpThreads(1))) {
            assertThat(baseline.gflops(kernel, 64, 96, List.of(8L)).get(8L)).isPositive();
        }
    }
}
