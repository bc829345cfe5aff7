package io.vlmstreams.cli;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** This machine's name, the default {@code source_id} of produced events, so answers can be traced to a producer. */
final class HostName {

    private HostName() {
    }

    static String get() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env.strip();
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
