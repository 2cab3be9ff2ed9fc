package io.meshmq.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.config.Setting;
import io.meshmq.broker.config.SettingsCatalog;
import io.meshmq.cluster.ClusterSettings;
import org.junit.jupiter.api.Test;

class SettingsCatalogsTest {

  @Test
  void containsTheBrokerTheClusterAndTheServerSettings() {
    SettingsCatalog catalog = SettingsCatalogs.all();

    assertThat(catalog.all()).containsAll(BrokerSettings.all()).containsAll(ClusterSettings.all())
        .containsAll(ServerSettings.all())
        .hasSize(BrokerSettings.all().size() + ClusterSettings.all().size() + ServerSettings.all().size());
  }

  @Test
  void eachEnvironmentVariableMapsBackToItsSetting() {
    SettingsCatalog catalog = SettingsCatalogs.all();

    for (Setting<?> s : catalog.all()) {
      assertThat(catalog.forEnvironmentVariable(s.environmentVariable())).isSameAs(s);
    }
    assertThat(ServerSettings.SHUTDOWN_GRACE_SECONDS.environmentVariable())
        .isEqualTo("MESHMQ_SHUTDOWN_GRACE_SECONDS");
  }
}
