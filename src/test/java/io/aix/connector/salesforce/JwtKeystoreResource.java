package io.aix.connector.salesforce;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

/**
 * Makes a PKCS12 keystore with one RSA key, as an admin does for a Salesforce connected app, and
 * hands it to AIX the way production does: base64 in an environment-style property.
 */
public class JwtKeystoreResource implements QuarkusTestResourceLifecycleManager {
  static final String PASSWORD = "changeit-" + Long.toHexString(System.nanoTime());

  @Override
  public Map<String, String> start() {
    try {
      Path dir = Files.createTempDirectory("aix-jwt");
      Path keystore = dir.resolve("aix.p12");
      run(
          "-genkeypair",
          "-alias",
          "aix",
          "-keyalg",
          "RSA",
          "-keysize",
          "2048",
          "-validity",
          "2",
          "-dname",
          "CN=AIX connected app",
          "-storetype",
          "PKCS12",
          "-keystore",
          keystore.toString(),
          "-storepass",
          PASSWORD,
          "-keypass",
          PASSWORD);
      String base64 = Base64.getEncoder().encodeToString(Files.readAllBytes(keystore));
      Files.delete(keystore);
      Files.delete(dir);
      return Map.of(
          "AIX_TEST_SF_CLIENT_ID",
          "aix-sandbox-client",
          "AIX_TEST_SF_USERNAME",
          "integration@aix.example.com",
          "AIX_TEST_SF_OTHER_USERNAME",
          "someone.else@aix.example.com",
          "AIX_TEST_SF_OTHER_CLIENT_ID",
          "another-connected-app",
          "AIX_TEST_SF_KEYSTORE",
          base64,
          "AIX_TEST_SF_KEYSTORE_PASSWORD",
          PASSWORD);
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException("cannot create a test keystore", e);
    }
  }

  private static void run(String... args) throws IOException, InterruptedException {
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    String[] command = new String[args.length + 1];
    command[0] = keytool;
    System.arraycopy(args, 0, command, 1, args.length);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IllegalStateException("keytool failed: " + output);
    }
  }

  @Override
  public void stop() {}
}
