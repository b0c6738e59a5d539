package io.github.sshfleet.fleet;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.sshfleet.config.FleetConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the optional status and owners JSON (keyed by IP) from an http(s) URL or a local file. Short timeouts and the
 * JDK's default TLS verification; a failure is reported to the caller as a message, never thrown past it.
 */
final class MetadataSource {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BYTES = 8 * 1024 * 1024;

    private MetadataSource() {}

    /** JSON object keyed by IP. Throws IOException with a one-line reason. */
    static Map<String, Object> fetch(String location, Duration timeout, Path home) throws IOException {
        byte[] body;
        if (location.startsWith("http://") || location.startsWith("https://")) {
            HttpClient client = HttpClient.newBuilder()
                    .connectTimeout(timeout)
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .build();
            HttpRequest request = HttpRequest.newBuilder(URI.create(location))
                    .timeout(timeout)
                    .header("Accept", "application/json")
                    .GET()
                    .build();
            try {
                HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                if (response.statusCode() / 100 != 2) {
                    throw new IOException("HTTP " + response.statusCode());
                }
                body = response.body();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        } else {
            Path p = location.startsWith("file:")
                    ? Path.of(URI.create(location))
                    : io.github.sshfleet.config.ConfigLoader.expand(location, home);
            if (Files.size(p) > MAX_BYTES) {
                throw new IOException("larger than " + MAX_BYTES + " bytes");
            }
            body = Files.readAllBytes(p);
        }
        if (body.length > MAX_BYTES) {
            throw new IOException("larger than " + MAX_BYTES + " bytes");
        }
        Map<String, Object> parsed = JSON.readValue(body, new TypeReference<LinkedHashMap<String, Object>>() {});
        return parsed == null ? Map.of() : parsed;
    }

    /**
     * status_url and owners_url merged per IP (hostname, version, os_version, machine_state, owner); what could not be
     * read is added to {@code warnings}.
     */
    static Map<String, Map<String, Object>> merged(FleetConfig config, Path home, List<String> warnings) {
        Map<String, Object> status = fetchOrWarn("status_url", config.statusUrl(), config, home, warnings);
        Map<String, Object> owners = fetchOrWarn("owners_url", config.ownersUrl(), config, home, warnings);
        Map<String, Map<String, Object>> merged = new HashMap<>();
        status.forEach((ip, v) -> {
            if (v instanceof Map<?, ?> m) {
                Map<String, Object> md = merged.computeIfAbsent(ip, k -> new LinkedHashMap<>());
                for (String k : List.of("hostname", "version", "os_version", "machine_state")) {
                    if (m.get(k) != null) {
                        md.put(k, m.get(k));
                    }
                }
            }
        });
        owners.forEach((ip, v) -> {
            Map<String, Object> md = merged.computeIfAbsent(ip, k -> new LinkedHashMap<>());
            if (v instanceof String s) {
                md.put("owner", s);
            } else if (v instanceof Map<?, ?> m) {
                if (m.get("username") != null) {
                    md.put("owner", String.valueOf(m.get("username")));
                }
                if (m.get("description") != null) {
                    md.put("owner_description", String.valueOf(m.get("description")));
                }
            }
        });
        return Map.copyOf(merged);
    }

    private static Map<String, Object> fetchOrWarn(
            String key, String location, FleetConfig config, Path home, List<String> warnings) {
        if (location == null) {
            return Map.of();
        }
        try {
            return fetch(location, config.metadataTimeout(), home);
        } catch (IOException | RuntimeException e) {
            warnings.add(key + " " + location + " could not be read ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + "); machines are listed without it");
            return Map.of();
        }
    }
}
