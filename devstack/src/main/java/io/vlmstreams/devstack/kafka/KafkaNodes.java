package io.vlmstreams.devstack.kafka;

import java.io.IOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/**
 * What the single-node and the multi-node clusters both need to lay out and probe a KRaft node on
 * loopback: free ports, the written {@code server.properties}, a listener probe and a poll sleep.
 */
final class KafkaNodes {

    private KafkaNodes() {
    }

    /** Writes {@code values} as a properties file headed by {@code comment}. */
    static void writeProperties(Path file, Map<String, String> values, String comment) throws IOException {
        Properties properties = new Properties();
        properties.putAll(values);
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            properties.store(out, comment);
        }
    }

    /** Distinct free loopback ports: all sockets are held open together so none repeats. */
    static int[] freePorts(int count) throws IOException {
        ServerSocket[] sockets = new ServerSocket[count];
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    socket.close();
                }
            }
        }
    }

    /** Whether a loopback listener on {@code port} takes a connection within a second. */
    static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Sleeps {@code duration}; an interrupt keeps the flag and becomes an {@link IllegalStateException} saying {@code what}. */
    static void sleep(Duration duration, String what) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what, e);
        }
    }

    /** Registers {@code task} to run when the JVM exits; returns the hook for {@link #removeShutdownHook}. */
    static Thread addShutdownHook(Runnable task, String name) {
        Thread hook = new Thread(task, name);
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    /** Removes {@code hook} (null: none was added) unless the JVM is already shutting down, when the hook runs anyway. */
    static void removeShutdownHook(Thread hook) {
        if (hook == null) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is shutting down; the hook is doing the same work.
        }
    }
}
