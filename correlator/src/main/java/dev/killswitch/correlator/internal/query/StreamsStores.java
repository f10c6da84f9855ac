package dev.killswitch.correlator.internal.query;

import dev.killswitch.correlator.CorrelatorException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** Stores and key owners from a running KafkaStreams instance (interactive queries). */
public final class StreamsStores implements StoreReader.Source, QueryRouter.Owners {

  private static final StringSerializer KEYS = new StringSerializer();
  private final Supplier<KafkaStreams> streams;
  private final HostInfo self;
  private final String scheme;

  /**
   * @param self this instance's application.server, or null for a single instance (every key is local)
   * @param https whether the instances serve HTTPS (all of them do, or none)
   */
  public StreamsStores(Supplier<KafkaStreams> streams, HostInfo self, boolean https) {
    this.streams = streams;
    this.self = self;
    this.scheme = https ? "https" : "http";
  }

  @Override
  public <V> ReadOnlyKeyValueStore<String, V> store(String name) {
    KafkaStreams ks = running();
    try {
      return ks.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore()));
    } catch (InvalidStateStoreException e) {
      throw CorrelatorException.storesUnavailable(e.getMessage());
    }
  }

  @Override
  public Optional<URI> remoteOwner(String store, String key) {
    KafkaStreams ks = running();
    if (self == null) {
      return Optional.empty();
    }
    KeyQueryMetadata metadata = ks.queryMetadataForKey(store, key, KEYS);
    if (metadata == null || KeyQueryMetadata.NOT_AVAILABLE.equals(metadata)) {
      throw CorrelatorException.storesUnavailable("no instance holds " + store + " yet");
    }
    HostInfo active = metadata.activeHost();
    if (active.equals(self)) {
      return Optional.empty();
    }
    return Optional.of(baseUri(scheme, active));
  }

  /** {@code scheme://host:port} of an instance; an IPv6 host (Kafka keeps it without brackets) gets them. */
  static URI baseUri(String scheme, HostInfo instance) {
    try {
      return new URI(scheme, null, instance.host(), instance.port(), null, null, null);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a host: " + instance.host(), e);
    }
  }

  private KafkaStreams running() {
    KafkaStreams ks = streams.get();
    if (ks == null) {
      throw CorrelatorException.storesUnavailable("the correlator has not started");
    }
    KafkaStreams.State state = ks.state();
    if (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING) {
      throw CorrelatorException.storesUnavailable("Kafka Streams is " + state);
    }
    return ks;
  }
}
