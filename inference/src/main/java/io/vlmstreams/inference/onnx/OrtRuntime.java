package io.vlmstreams.inference.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The ONNX Runtime environment plus the execution provider chosen once for all sessions of a model.
 * Logs exactly one line saying which provider runs and why. Thread-safe.
 */
public final class OrtRuntime {

    private static final Logger LOG = LoggerFactory.getLogger(OrtRuntime.class);

    private final OrtEnvironment env;
    private final RuntimeConfig config;
    private final AtomicInteger openSessions = new AtomicInteger();
    private volatile ProviderChoice choice;

    public OrtRuntime(RuntimeConfig config) {
        this(config, new ExecutionProviderSelector());
    }

    public OrtRuntime(RuntimeConfig config, ExecutionProviderSelector selector) {
        this.config = Objects.requireNonNull(config, "config");
        this.env = OrtEnvironment.getEnvironment();
        this.choice = selector.select(config);
        // AUTO falling back to CPU is the expected case on a machine without a GPU: INFO, not a warning.
        if (choice.fellBack() && choice.requested() != ExecutionProvider.AUTO) {
            LOG.warn("ONNX Runtime execution provider: {} ({})", choice.label(), choice.reason());
        } else {
            LOG.info("ONNX Runtime execution provider: {} ({})", choice.label(), choice.reason());
        }
    }

    public OrtEnvironment env() {
        return env;
    }

    public ProviderChoice providerChoice() {
        return choice;
    }

    public RuntimeConfig config() {
        return config;
    }

    /** Sessions this runtime opened that are not closed yet (a leak shows as a count that does not return). */
    public int openSessions() {
        return openSessions.get();
    }

    /**
     * Opens a session on the chosen provider, owning the options it was created with; the caller
     * closes it. A GPU provider whose library loaded can still fail at session creation (no device,
     * driver too old): then this and every later session run on CPU.
     */
    public OwnedSession open(Path onnxFile) {
        if (!Files.isRegularFile(onnxFile)) {
            throw new IllegalArgumentException("no ONNX graph at " + onnxFile);
        }
        ProviderChoice current = choice;
        try {
            return create(onnxFile, current);
        } catch (OrtException e) {
            if (current.provider() == ExecutionProvider.CPU) {
                throw new IllegalStateException("cannot open " + onnxFile + ": " + e.getMessage(), e);
            }
            ProviderChoice cpu = fallBackToCpu(current, e);
            try {
                return create(onnxFile, cpu);
            } catch (OrtException again) {
                throw new IllegalStateException("cannot open " + onnxFile + ": " + again.getMessage(), again);
            }
        }
    }

    /**
     * Switches every later session to CPU once; sessions open side by side, so the first to fail
     * switches and logs, the others find the switch made.
     */
    private synchronized ProviderChoice fallBackToCpu(ProviderChoice failed, OrtException e) {
        if (choice == failed) {
            ProviderChoice cpu = new ProviderChoice(ExecutionProvider.CPU, 0, config.provider(),
                    failed.label() + " failed to create a session: " + e.getMessage().lines().findFirst().orElse("")
                            + " (" + ExecutionProviderSelector.GPU_REQUIREMENTS + ")");
            if (config.provider() == ExecutionProvider.AUTO) {
                LOG.info("ONNX Runtime execution provider: {} ({})", cpu.label(), cpu.reason());
            } else {
                LOG.warn("ONNX Runtime execution provider: {} ({})", cpu.label(), cpu.reason());
            }
            choice = cpu;
        }
        return choice;
    }

    /** A session and its options; the options are closed here only when no session was made from them. */
    private OwnedSession create(Path onnxFile, ProviderChoice provider) throws OrtException {
        SessionOptions options = new SessionOptions();
        try {
            options.setOptimizationLevel(config.optimizationLevel());
            options.setCPUArenaAllocator(config.cpuArena());
            options.setMemoryPatternOptimization(config.memoryPattern());
            if (config.intraOpThreads() > 0) {
                options.setIntraOpNumThreads(config.intraOpThreads());
            }
            if (config.interOpThreads() > 0) {
                options.setInterOpNumThreads(config.interOpThreads());
            }
            if (!config.spinWait()) {
                options.addConfigEntry("session.intra_op.allow_spinning", "0");
                options.addConfigEntry("session.inter_op.allow_spinning", "0");
            }
            ExecutionProviderSelector.apply(provider, options);
            OrtSession session = env.createSession(onnxFile.toString(), options);
            openSessions.incrementAndGet();
            return new OwnedSession(session, options, openSessions);
        } catch (OrtException | RuntimeException | Error e) {
            options.close();
            throw e;
        }
    }
}
