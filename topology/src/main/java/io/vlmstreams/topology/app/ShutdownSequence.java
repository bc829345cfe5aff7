package io.vlmstreams.topology.app;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.Deque;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a stop closes, newest first, whether the stop comes from a signal (Ctrl-C, SIGTERM) or from the
 * application ending. Its JVM shutdown hook is registered before anything slow starts: registered after
 * the model load, a Ctrl-C during the load made {@code addShutdownHook} throw "Shutdown in progress".
 * A signal prints one line saying what is being stopped, so a wait is never silent.
 */
final class ShutdownSequence {

    private static final Logger log = LoggerFactory.getLogger(ShutdownSequence.class);

    private final Deque<Step> steps = new ArrayDeque<>();
    private final Thread hook;
    private final PrintStream err;
    private volatile String phase = "starting";
    private boolean stopping;

    private record Step(String what, AutoCloseable resource) { }

    /** Registers the hook; {@code err} gets the line a signal prints. */
    ShutdownSequence(PrintStream err) {
        this.err = err;
        this.hook = new Thread(this::onSignal, "vlm-streams-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** What the application is doing now, for the line a signal prints ("loading the model", ...). */
    void phase(String now) {
        phase = now;
    }

    /**
     * Adds {@code resource} to close on stop, before everything added earlier. False when the stop has
     * begun: the caller then closes it itself and gives up starting.
     */
    synchronized boolean add(String what, AutoCloseable resource) {
        if (stopping) {
            return false;
        }
        steps.push(new Step(what, resource));
        return true;
    }

    /** Whether a stop has begun. */
    synchronized boolean stopping() {
        return stopping;
    }

    /** The application ended on its own: close everything and drop the hook. */
    void finish() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook is closing everything.
            return;
        }
        closeAll();
    }

    private void onSignal() {
        err.println("vlm-streams: stopping (signal received while " + phase + ") ...");
        err.flush();
        closeAll();
        err.println("vlm-streams: stopped");
        err.flush();
    }

    private void closeAll() {
        while (true) {
            Step step;
            synchronized (this) {
                stopping = true;
                step = steps.poll();
            }
            if (step == null) {
                return;
            }
            try {
                step.resource().close();
            } catch (Exception e) {
                log.warn("Closing {} failed: {}", step.what(), e.toString());
            }
        }
    }
}
