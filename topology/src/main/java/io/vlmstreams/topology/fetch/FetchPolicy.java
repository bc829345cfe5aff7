package io.vlmstreams.topology.fetch;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Set;

import io.vlmstreams.topology.config.FetchConfig;

/**
 * Decides whether a URI may be fetched and which address to connect to. The check runs on the
 * addresses DNS returns, and the caller connects to the address returned here, never re-resolving
 * the name: a host that resolves to an internal address (or rebinds between check and connect)
 * cannot steer the fetch inside the network.
 */
public final class FetchPolicy {

    /** Name resolution, a seam so tests can play DNS (rebinding, names that resolve inside the network). */
    @FunctionalInterface
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final FetchConfig config;
    private final Resolver resolver;
    private final Set<InetAddress> trusted;

    public FetchPolicy(FetchConfig config) {
        this(config, InetAddress::getAllByName, Set.of());
    }

    /**
     * For tests: {@code resolver} instead of DNS, and {@code trusted} addresses that pass the address
     * checks (a local test server standing in for a public host), every other address checked as usual.
     */
    FetchPolicy(FetchConfig config, Resolver resolver, Set<InetAddress> trusted) {
        this.config = config;
        this.resolver = resolver;
        this.trusted = Set.copyOf(trusted);
    }

    public FetchConfig config() {
        return config;
    }

    /** The address to connect to for {@code uri}; every address the host resolves to must pass. */
    public InetAddress check(URI uri) throws FetchException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!config.allowedSchemes().contains(scheme)) {
            throw FetchException.forbidden("scheme '" + scheme + "' is not allowed (allowed: " + config.allowedSchemes() + ")");
        }
        if (uri.getRawUserInfo() != null) {
            throw FetchException.forbidden("URIs with user info are not fetched");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw FetchException.forbidden("URI has no host: " + uri);
        }
        if (!config.hostAllowed(host)) {
            throw FetchException.forbidden("host '" + host + "' is not on the allowlist");
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw FetchException.failed("cannot resolve host '" + host + "'", e);
        }
        if (addresses.length == 0) {
            throw FetchException.failed("host '" + host + "' resolves to no address", null);
        }
        if (!config.allowPrivateAddresses()) {
            for (InetAddress address : addresses) {
                if (trusted.contains(address)) {
                    continue;
                }
                String why = forbiddenReason(address);
                if (why != null) {
                    throw FetchException.forbidden("host '" + host + "' resolves to " + address.getHostAddress()
                            + ", " + why);
                }
            }
        }
        return addresses[0];
    }

    /** Why {@code address} is not a public unicast address, or null when it is. */
    static String forbiddenReason(InetAddress address) {
        if (address.isAnyLocalAddress()) {
            return "an unspecified address";
        }
        if (address.isLoopbackAddress()) {
            return "a loopback address";
        }
        if (address.isLinkLocalAddress()) {
            return "a link-local address (cloud metadata lives here)";
        }
        if (address.isSiteLocalAddress()) {
            return "a private address";
        }
        if (address.isMulticastAddress()) {
            return "a multicast address";
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            if (first == 0 || first == 255 && second == 255) {
                return "a reserved address";
            }
            if (first == 100 && (second & 0xc0) == 64) {
                return "a carrier-grade NAT address";
            }
            if (first == 198 && (second == 18 || second == 19)) {
                return "a benchmarking address";
            }
            if (first >= 240) {
                return "a reserved address";
            }
        } else if (address instanceof Inet6Address) {
            boolean ipv4Compatible = true;
            for (int i = 0; i < 12; i++) {
                ipv4Compatible &= b[i] == 0;
            }
            if (ipv4Compatible) {
                return "an IPv4-compatible address (embeds an IPv4 address)";
            }
            if ((b[0] & 0xfe) == 0xfc) {
                return "a unique-local address";
            }
            if (b[0] == 0x00 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b) {
                return "a NAT64 address (may embed a private IPv4 address)";
            }
            if (b[0] == 0x20 && b[1] == 0x02) {
                return "a 6to4 address (may embed a private IPv4 address)";
            }
        }
        return null;
    }
}
