package dev.killswitch.correlator.internal.query;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

/** Where a query is forwarded: the owning instance's advertised {@code application.server} as a base URI. */
class StreamsStoresTest {

  @Test
  void anIpv6OwnerIsForwardedToWithItsAddressInBrackets() {
    // Kafka Streams keeps the host of "[fd00::2]:8080" without its brackets.
    HostInfo owner = HostInfo.buildFromEndpoint("[fd00::2]:8080");

    assertThat(StreamsStores.baseUri("http", owner).resolve("/v1/chains/0123456789abcdef0123456789abcdef"))
        .hasToString("http://[fd00::2]:8080/v1/chains/0123456789abcdef0123456789abcdef")
        .hasHost("[fd00::2]").hasPort(8080);
    assertThat(StreamsStores.baseUri("https", HostInfo.buildFromEndpoint("[::1]:8443")).resolve("/v1/chains?node=x"))
        .hasToString("https://[::1]:8443/v1/chains?node=x");
  }

  @Test
  void aHostNameOrIpv4OwnerIsForwardedToAsItIsAdvertised() {
    assertThat(StreamsStores.baseUri("http", new HostInfo("correlator-1.correlator", 8080)))
        .hasToString("http://correlator-1.correlator:8080");
    assertThat(StreamsStores.baseUri("https", new HostInfo("10.0.3.7", 8443))).hasToString("https://10.0.3.7:8443");
  }
}
