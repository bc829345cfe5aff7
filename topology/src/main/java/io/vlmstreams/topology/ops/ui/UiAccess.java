package io.vlmstreams.topology.ops.ui;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Which connections the live view answers. The view shares the metrics port, which listens on every
 * interface for scrapers; since it shows the images, it answers only connections that arrived on
 * {@code ui.bind.address} (loopback by default; {@code 0.0.0.0} or {@code ::} for any), as if it were
 * bound there.
 */
final class UiAccess {

    private final String bindAddress;
    private final boolean any;
    private final boolean loopback;
    private final InetAddress address;

    UiAccess(String bindAddress) {
        this.bindAddress = bindAddress;
        InetAddress parsed;
        try {
            parsed = InetAddress.getByName(bindAddress);
        } catch (UnknownHostException e) {
            parsed = null;
        }
        this.address = parsed;
        this.any = parsed != null && parsed.isAnyLocalAddress();
        this.loopback = parsed != null && parsed.isLoopbackAddress();
    }

    /** Whether a connection that reached the server on {@code local} may see the view. */
    boolean allows(InetSocketAddress local) {
        if (any) {
            return true;
        }
        InetAddress a = local.getAddress();
        if (loopback) {
            return a.isLoopbackAddress();
        }
        return address != null && address.equals(a);
    }

    String bindAddress() {
        return bindAddress;
    }
}
