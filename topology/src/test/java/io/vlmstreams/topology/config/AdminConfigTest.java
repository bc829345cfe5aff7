package io.vlmstreams.topology.config;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The model-swap settings: off by default, roots that {@code ..} cannot escape, a hidden token. */
class AdminConfigTest {

    private static AdminConfig admin(Map<String, String> extra) {
        Map<String, String> s = new HashMap<>(Map.of("bootstrap.servers", "b:9092", "schema.registry.url", "http://r",
                "model.dir", "/models/current/tiny", "pipelines", "p", "pipeline.p.input.topics", "in",
                "pipeline.p.output.topic", "out", "pipeline.p.prompt", "What?"));
        s.putAll(extra);
        return AppConfig.from(ConfigSource.of(s)).admin();
    }

    @Test
    void offByDefaultOnLoopbackWithTheModelsParentAsTheOnlyRoot() {
        AdminConfig a = admin(Map.of());
        assertThat(a.enabled()).isFalse();
        assertThat(a.bindAddress().getHostString()).isEqualTo("127.0.0.1");
        assertThat(a.bindAddress().getPort()).isEqualTo(9405);
        assertThat(a.token()).isNull();
        assertThat(a.modelDirFile()).isNull();
        assertThat(a.allows(Path.of("/models/current/other"))).isTrue();
        assertThat(a.allows(Path.of("/models/current/../../etc"))).isFalse();
        assertThat(a.allows(Path.of("/models/elsewhere"))).isFalse();
    }

    @Test
    void rootsTokenAndAddressAreRead() {
        AdminConfig a = admin(Map.of("admin.enabled", "true", "admin.bind.address", "0.0.0.0:0", "admin.token", "t0k",
                "admin.model.roots", "/a,/b/c", "model.dir.file", "/etc/vlm/model"));
        assertThat(a.enabled()).isTrue();
        assertThat(a.bindAddress().getPort()).isZero();
        assertThat(a.allows(Path.of("/b/c/x"))).isTrue();
        assertThat(a.allows(Path.of("/models/current/tiny"))).isFalse();
        assertThat(a.modelDirFile()).isEqualTo(Path.of("/etc/vlm/model"));
        assertThat(a.toString()).doesNotContain("t0k");
        assertThat(Redaction.isSecret(Settings.ADMIN_TOKEN)).isTrue();
    }

    @Test
    void aBindAddressWithoutPortNamesTheKey() {
        assertThatThrownBy(() -> admin(Map.of("admin.bind.address", "localhost")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("admin.bind.address");
    }
}
