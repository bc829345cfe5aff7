package io.vlmstreams.cli.sandbox;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * The sandbox's ports: the ones asked for (by default Kafka's 9092 and the registry's 8081, so the
 * addresses survive a restart and the user's other commands keep working), or a free one, said in
 * one line, when the asked one is taken.
 */
public final class SandboxPorts {

    private SandboxPorts() {
    }

    /** {@code wanted} if it can be bound on the loopback address, else 0 (a free port) after a line on {@code out}. */
    public static int choose(String what, String option, int wanted, PrintStream out) {
        if (wanted == 0 || free(wanted)) {
            return wanted;
        }
        out.println("sandbox: port " + wanted + " for " + what + " is taken; using a free port instead (" + option
                + " P chooses another)");
        return 0;
    }

    static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Refuses a port outside 0..65535, naming the option. */
    public static int check(String option, int port) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException(option + " must be in 0..65535, got " + port);
        }
        return port;
    }
}
