package io.vlmstreams.inference.onnx;

import ai.onnxruntime.OrtProvider;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;

import static org.assertj.core.api.Assertions.assertThat;

/** Provider choice on this machine, which has no GPU: GPU requests fall back to CPU and say why. */
class ExecutionProviderSelectorTest {

    @Test
    void cpuIsTakenAsRequested() {
        ProviderChoice c = new ExecutionProviderSelector().select(RuntimeConfig.cpu());
        assertThat(c.provider()).isEqualTo(ExecutionProvider.CPU);
        assertThat(c.fellBack()).isFalse();
        assertThat(c.label()).isEqualTo("CPU");
    }

    @Test
    void cudaMissingFromTheBuildFallsBackToCpuNamingTheReason() {
        ExecutionProviderSelector cpuOnlyBuild = new ExecutionProviderSelector(() -> EnumSet.of(OrtProvider.CPU));
        ProviderChoice c = cpuOnlyBuild.select(RuntimeConfig.of(ExecutionProvider.CUDA));
        assertThat(c.provider()).isEqualTo(ExecutionProvider.CPU);
        assertThat(c.fellBack()).isTrue();
        assertThat(c.reason()).contains("CUDA requested but unavailable").contains("has no CUDA").contains("cuDNN 9");
    }

    @Test
    void cudaThatCannotLoadFallsBackToCpuNamingTheReason() {
        // the GPU build lists CUDA, but without a GPU and its libraries the provider does not load
        ExecutionProviderSelector selector = new ExecutionProviderSelector();
        ProviderChoice c = selector.select(RuntimeConfig.of(ExecutionProvider.CUDA));
        org.junit.jupiter.api.Assumptions.assumeTrue(c.provider() == ExecutionProvider.CPU, "CUDA works here");
        assertThat(c.fellBack()).isTrue();
        assertThat(c.requested()).isEqualTo(ExecutionProvider.CUDA);
        assertThat(c.reason()).startsWith("CUDA requested but unavailable").contains("CUDA 12");
    }

    @Test
    void tensorrtAndAutoFallBackThroughCudaToCpu() {
        ExecutionProviderSelector cpuOnlyBuild = new ExecutionProviderSelector(() -> EnumSet.of(OrtProvider.CPU));
        ProviderChoice trt = cpuOnlyBuild.select(RuntimeConfig.of(ExecutionProvider.TENSORRT));
        assertThat(trt.provider()).isEqualTo(ExecutionProvider.CPU);
        assertThat(trt.reason()).contains("TensorRT").contains("CUDA");
        ProviderChoice auto = cpuOnlyBuild.select(RuntimeConfig.of(ExecutionProvider.AUTO));
        assertThat(auto.provider()).isEqualTo(ExecutionProvider.CPU);
        assertThat(auto.reason()).startsWith("AUTO found no usable GPU provider");
    }

    @Test
    void runtimeOpensOnCpuWhenCudaIsUnavailable() {
        OrtRuntime runtime = new OrtRuntime(RuntimeConfig.of(ExecutionProvider.CUDA),
                new ExecutionProviderSelector(() -> EnumSet.of(OrtProvider.CPU)));
        assertThat(runtime.providerChoice().label()).isEqualTo("CPU");
        assertThat(runtime.providerChoice().fellBack()).isTrue();
    }

    @Test
    void providersParseIgnoringCase() {
        assertThat(ExecutionProvider.parse("cuda")).isEqualTo(ExecutionProvider.CUDA);
        assertThat(ExecutionProvider.parse(" TensorRT ")).isEqualTo(ExecutionProvider.TENSORRT);
    }
}
