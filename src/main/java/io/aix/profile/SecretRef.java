package io.aix.profile;

import java.util.Optional;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * A reference to a secret, never the secret itself: profiles say {@code { env: NAME }} and the
 * value comes from the environment (or a Kubernetes Secret mounted as environment). {@link
 * #toString()} shows only the name, so a reference can be logged; the resolved value never is.
 */
public record SecretRef(String env, String file, int line) {

  /** The secret's value, or a {@code file:line} error naming the missing variable. */
  public String resolve() {
    return lookup()
        .orElseThrow(
            () ->
                new ConfigException(
                    file, line, "secret " + env + " is not set in the environment"));
  }

  public Optional<String> lookup() {
    // MicroProfile Config reads the environment (and, in tests, config overrides) by this name.
    return ConfigProvider.getConfig().getOptionalValue(env, String.class).filter(v -> !v.isBlank());
  }

  @Override
  public String toString() {
    return "env:" + env;
  }
}
