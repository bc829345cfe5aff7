package io.vlmstreams.cli;

import java.nio.file.Path;

import io.vlmstreams.inference.engine.EngineConfig;
import io.vlmstreams.inference.onnx.ExecutionProvider;
import io.vlmstreams.topology.config.ModelConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code infer}, {@code bench} and {@code soak} open the model with the application's engine defaults. */
class EngineOptionsTest {

    @Command(name = "holder")
    static final class Holder {
        @Mixin
        EngineOptions engine;
    }

    private static EngineOptions parse(String... args) {
        Holder holder = new Holder();
        new CommandLine(holder).parseArgs(args);
        return holder.engine;
    }

    @Test
    void unsetOptionsAreTheApplicationsDefaults() {
        EngineConfig config = parse("--model", "/m").config(4);
        ModelConfig app = ModelConfig.defaults(Path.of("/m"));
        assertThat(config.dtype()).isEqualTo(app.dtype());
        assertThat(config.runtime().provider()).isEqualTo(ExecutionProvider.parse(app.provider())).isEqualTo(ExecutionProvider.AUTO);
        assertThat(config.runtime().deviceId()).isEqualTo(app.deviceId());
        assertThat(config.runtime().intraOpThreads()).isEqualTo(app.intraOpThreads())
                .isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(config.runtime().interOpThreads()).isEqualTo(app.interOpThreads());
        assertThat(config.runtime().spinWait()).isEqualTo(app.spinWait()).isTrue();
        assertThat(config.runtime().cpuArena()).isEqualTo(app.cpuArena());
        assertThat(config.runtime().memoryPattern()).isEqualTo(app.memoryPattern());
        assertThat(config.maxBatchSize()).isEqualTo(4);
    }

    @Test
    void givenOptionsWinAndNegatedFlagsTurnOff() {
        EngineConfig config = parse("--model", "/m", "--provider", "cpu", "--threads", "3", "--inter-op-threads", "2",
                "--no-spin-wait", "--no-cpu-arena", "--memory-pattern", "--dtype", "q4").config(1);
        assertThat(config.runtime().provider()).isEqualTo(ExecutionProvider.CPU);
        assertThat(config.runtime().intraOpThreads()).isEqualTo(3);
        assertThat(config.runtime().interOpThreads()).isEqualTo(2);
        assertThat(config.runtime().spinWait()).isFalse();
        assertThat(config.runtime().cpuArena()).isFalse();
        assertThat(config.runtime().memoryPattern()).isTrue();
        assertThat(config.dtype()).isEqualTo("q4");
        assertThat(parse("--model", "/m", "--spin-wait", "--cpu-arena").config(1).runtime())
                .satisfies(r -> assertThat(r.spinWait()).isTrue()).satisfies(r -> assertThat(r.cpuArena()).isTrue());
    }

    @Test
    void helpShowsTheSharedDefaults() {
        String usage = new CommandLine(new Holder()).getUsageMessage().replaceAll("\\s+", " ");
        assertThat(usage).contains("(default: auto)").contains("(default: auto: the folder's")
                .contains("the cores the JVM sees, " + Runtime.getRuntime().availableProcessors());
    }
}
