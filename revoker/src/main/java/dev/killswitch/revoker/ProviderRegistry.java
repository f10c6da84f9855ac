package dev.killswitch.revoker;

import dev.killswitch.revoker.plan.Actions;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The providers of this process, one per action, registered explicitly at start-up (never by static
 * initializers or class-path scanning, so that what can run is visible where the process is wired).
 * Closing the registry closes every provider that is {@link AutoCloseable}.
 */
public final class ProviderRegistry implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ProviderRegistry.class);

  private final ConcurrentHashMap<String, RevocationProvider> byAction = new ConcurrentHashMap<>();

  /**
   * Adds a provider.
   *
   * @throws IllegalArgumentException when the action is not one of DESIGN.md's, or already has a provider
   */
  public ProviderRegistry register(RevocationProvider provider) {
    String action = provider.actionId();
    if (!Actions.ALL.contains(action)) {
      throw new IllegalArgumentException("unknown action '" + action + "'; expected one of " + new TreeSet<>(Actions.ALL));
    }
    RevocationProvider before = byAction.putIfAbsent(action, provider);
    if (before != null) {
      throw new IllegalArgumentException("a provider for " + action + " is already registered: " + before);
    }
    return this;
  }

  public Optional<RevocationProvider> find(String action) {
    return Optional.ofNullable(byAction.get(action));
  }

  /** The actions that have a provider. */
  public Set<String> actions() {
    return Set.copyOf(byAction.keySet());
  }

  @Override
  public void close() {
    for (RevocationProvider p : byAction.values()) {
      if (p instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          LOG.warn("closing provider {} failed: {}", p.actionId(), e.toString());
        }
      }
    }
  }
}
