package io.vlmstreams.topology.fetch;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP/1.1 GET over a socket connected to an address chosen by the caller. The JDK's HTTP
 * clients resolve host names themselves, which would reopen the gap between the address check and
 * the connection; here the socket goes to the checked address while TLS still verifies the
 * certificate against the host name (SNI and endpoint identification), and the Host header names it.
 * No compression is asked for, so the size limit applies to the image bytes themselves.
 */
final class HttpGet {

    /** Status, lower-cased headers and body of a response. */
    record Response(int status, Map<String, String> headers, byte[] body) { }

    private final long maxBytes;
    private final int connectTimeoutMs;

    HttpGet(long maxBytes, int connectTimeoutMs) {
        this.maxBytes = maxBytes;
        this.connectTimeoutMs = connectTimeoutMs;
    }

    Response get(URI uri, InetAddress address, long deadlineNanos) throws IOException, FetchException {
        boolean tls = "https".equalsIgnoreCase(uri.getScheme());
        int port = uri.getPort() != -1 ? uri.getPort() : tls ? 443 : 80;
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(address, port), (int) Math.min(connectTimeoutMs, remainingMs(deadlineNanos)));
            Socket socket = tls ? startTls(plain, uri.getHost(), port) : plain;
            try {
                socket.setSoTimeout((int) remainingMs(deadlineNanos));
                sendRequest(socket.getOutputStream(), uri, port, tls);
                return readResponse(new BufferedInputStream(socket.getInputStream()), deadlineNanos, socket);
            } finally {
                if (socket != plain) {
                    socket.close();
                }
            }
        }
    }

    private static Socket startTls(Socket plain, String host, int port) throws IOException {
        SSLSocket ssl = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault()).createSocket(plain, host, port, true);
        SSLParameters params = ssl.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        params.setServerNames(List.of(new SNIHostName(host)));
        ssl.setSSLParameters(params);
        ssl.startHandshake();
        return ssl;
    }

    private static void sendRequest(OutputStream out, URI uri, int port, boolean tls) throws IOException {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        boolean defaultPort = port == (tls ? 443 : 80);
        String host = uri.getHost().contains(":") ? "[" + uri.getHost() + "]" : uri.getHost();
        String request = "GET " + path + " HTTP/1.1\r\n"
                + "Host: " + host + (defaultPort ? "" : ":" + port) + "\r\n"
                + "User-Agent: vlm-streams\r\nAccept: image/*\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n";
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private Response readResponse(InputStream in, long deadlineNanos, Socket socket) throws IOException, FetchException {
        String statusLine = readLine(in);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x response: " + statusLine);
        }
        int status;
        try {
            status = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("bad status line: " + statusLine);
        }
        Map<String, String> headers = new TreeMap<>();
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        if (status / 100 != 2) {
            return new Response(status, headers, new byte[0]);
        }
        String length = headers.get("content-length");
        if (length != null && Long.parseLong(length.trim()) > maxBytes) {
            throw FetchException.failed("image is " + length + " bytes, over the limit of " + maxBytes, null);
        }
        BodyReader body = new BodyReader(in, deadlineNanos, socket);
        byte[] bytes = "chunked".equalsIgnoreCase(headers.get("transfer-encoding"))
                ? body.chunked() : body.upTo(length == null ? -1 : Long.parseLong(length.trim()));
        return new Response(status, headers, bytes);
    }

    /** Reads a body while enforcing the size limit and the overall deadline. */
    private final class BodyReader {
        private final InputStream in;
        private final long deadlineNanos;
        private final Socket socket;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        BodyReader(InputStream in, long deadlineNanos, Socket socket) {
            this.in = in;
            this.deadlineNanos = deadlineNanos;
            this.socket = socket;
        }

        byte[] upTo(long length) throws IOException, FetchException {
            copy(length);
            return out.toByteArray();
        }

        byte[] chunked() throws IOException, FetchException {
            while (true) {
                String sizeLine = readLine(in);
                int semicolon = sizeLine.indexOf(';');
                long size = Long.parseLong((semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim(), 16);
                if (size == 0) {
                    return out.toByteArray();
                }
                copy(size);
                readLine(in);
            }
        }

        /** Copies {@code length} bytes, or to end of stream when negative. */
        private void copy(long length) throws IOException, FetchException {
            byte[] buffer = new byte[16 * 1024];
            long left = length;
            while (length < 0 || left > 0) {
                socket.setSoTimeout((int) remainingMs(deadlineNanos));
                int n = in.read(buffer, 0, (int) (length < 0 ? buffer.length : Math.min(buffer.length, left)));
                if (n < 0) {
                    if (length >= 0) {
                        throw new IOException("connection closed after " + out.size() + " body bytes");
                    }
                    return;
                }
                if (out.size() + (long) n > maxBytes) {
                    throw FetchException.failed("image exceeds the limit of " + maxBytes + " bytes", null);
                }
                out.write(buffer, 0, n);
                left -= n;
            }
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed in the middle of the response head");
            }
            if (line.length() > 16 * 1024) {
                throw new IOException("response line too long");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    private static long remainingMs(long deadlineNanos) throws IOException {
        long ms = (deadlineNanos - System.nanoTime()) / 1_000_000;
        if (ms <= 0) {
            throw new java.net.SocketTimeoutException("fetch deadline passed");
        }
        return ms;
    }
}
