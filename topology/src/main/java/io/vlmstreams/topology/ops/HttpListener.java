package io.vlmstreams.topology.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

import com.sun.net.httpserver.HttpServer;

/**
 * A JDK {@link HttpServer} bound to one address, on its own pool of daemon threads, closed once:
 * what the ops and the admin endpoints share.
 */
final class HttpListener implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicBoolean closed = new AtomicBoolean();

    private HttpListener(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds {@code address} (not yet started: add contexts, then {@link #start()}).
     *
     * @param setting the setting that chose the address, named when it cannot be bound
     * @throws UncheckedIOException when the address cannot be bound
     */
    static HttpListener bind(InetSocketAddress address, int backlog, int threads, String threadName, String setting) {
        HttpServer server;
        try {
            server = HttpServer.create(address, backlog);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + address + " for " + setting, e);
        }
        ExecutorService executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        return new HttpListener(server, executor);
    }

    HttpServer server() {
        return server;
    }

    void start() {
        server.start();
    }

    /** The bound port. */
    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.stop(0);
        executor.shutdownNow();
    }
}
