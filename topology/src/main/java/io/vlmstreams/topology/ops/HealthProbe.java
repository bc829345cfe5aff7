package io.vlmstreams.topology.ops;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A container healthcheck without curl in the image:
 * {@code java -cp vlm-streams-app.jar io.vlmstreams.topology.ops.HealthProbe [URL]} exits 0 when {@code URL}
 * (default {@code http://127.0.0.1:9404/health/ready}) answers 200, else 1 with the answer's first line. It uses
 * nothing but the JDK, so it starts in a fraction of a second and never loads the application.
 */
public final class HealthProbe {

    /** The readiness endpoint on the default {@code metrics.port}. */
    public static final String DEFAULT_URL = "http://127.0.0.1:9404/health/ready";

    private HealthProbe() {
    }

    public static void main(String[] args) {
        System.exit(probe(args.length > 0 ? args[0] : DEFAULT_URL));
    }

    /** 0 when {@code url} answers 200 within a few seconds; otherwise prints why and returns 1. */
    public static int probe(String url) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setConnectTimeout(2000);
            c.setReadTimeout(3000);
            int status = c.getResponseCode();
            String body = read(status < 400 ? c.getInputStream() : c.getErrorStream());
            c.disconnect();
            System.out.println(status + " " + body.lines().findFirst().orElse(""));
            return status == 200 ? 0 : 1;
        } catch (IOException | IllegalArgumentException e) {
            System.out.println("unhealthy: " + url + ": " + e);
            return 1;
        }
    }

    private static String read(InputStream in) throws IOException {
        if (in == null) {
            return "";
        }
        try (in) {
            return new String(in.readNBytes(4096), StandardCharsets.UTF_8);
        }
    }
}
