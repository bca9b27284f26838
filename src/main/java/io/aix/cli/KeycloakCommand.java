package io.aix.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.NotAuthorizedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.KeycloakBuilder;
import org.keycloak.admin.client.resource.ClientResource;
import org.keycloak.admin.client.resource.RealmResource;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.ProtocolMapperRepresentation;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.representations.idm.RoleRepresentation;
import org.keycloak.representations.idm.UserRepresentation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./aix keycloak}: the customer's Keycloak, made ready for AIX. */
@Command(
    name = "keycloak",
    mixinStandardHelpOptions = true,
    description = "Keycloak for the AIX API: roles aix-admin, aix-integrator, aix-viewer.",
    subcommands = {KeycloakCommand.Setup.class})
public class KeycloakCommand {

  @Command(
      name = "setup",
      mixinStandardHelpOptions = true,
      description =
          "Creates what k8s/keycloak/aix-realm.json describes (realm, roles, clients, audience"
              + " mapper) through the Keycloak admin API, or adds what is missing; run it again"
              + " any time. The admin password comes from KEYCLOAK_ADMIN_PASSWORD, never the"
              + " command line.")
  static class Setup implements Callable<Integer> {
    @Option(
        names = "--url",
        defaultValue = "${env:KEYCLOAK_URL}",
        description = "Keycloak's base URL, e.g. https://sso.example.com (env KEYCLOAK_URL).")
    String url;

    @Option(
        names = "--admin-user",
        defaultValue = "${env:KEYCLOAK_ADMIN:-admin}",
        description = "An admin of the admin realm (env KEYCLOAK_ADMIN; default admin).")
    String adminUser;

    @Option(names = "--admin-realm", defaultValue = "master", description = "Default: master.")
    String adminRealm;

    @Option(
        names = "--realm-file",
        defaultValue = "k8s/keycloak/aix-realm.json",
        description = "The realm export to provision.")
    Path realmFile;

    @Option(
        names = "--grant",
        description = "USER=ROLE: give an existing user an AIX role (repeatable).")
    List<String> grants = new ArrayList<>();

    @Override
    public Integer call() {
      String password = System.getenv("KEYCLOAK_ADMIN_PASSWORD");
      if (url == null || url.isBlank()) {
        System.err.println("Name Keycloak's URL: --url https://sso.example.com (or KEYCLOAK_URL)");
        return 2;
      }
      if (password == null || password.isBlank()) {
        System.err.println("Set KEYCLOAK_ADMIN_PASSWORD to the password of " + adminUser);
        return 2;
      }
      RealmRepresentation wanted;
      try {
        wanted =
            new ObjectMapper()
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                .readValue(Files.readString(realmFile), RealmRepresentation.class);
      } catch (IOException e) {
        System.err.println(realmFile + ": " + e.getMessage());
        return 2;
      }
      String base = url.replaceAll("/+$", "");
      try (Keycloak keycloak =
          KeycloakBuilder.builder()
              .serverUrl(base)
              .realm(adminRealm)
              .clientId("admin-cli")
              .username(adminUser)
              .password(password)
              .build()) {
        provision(keycloak, wanted);
        System.out.printf(
            "Keycloak realm %s is ready. Run AIX with AIX_OIDC_ENABLED=true"
                + " AIX_OIDC_URL=%s/realms/%s AIX_OIDC_AUDIENCE=aix%n",
            wanted.getRealm(), base, wanted.getRealm());
        return 0;
      } catch (NotAuthorizedException e) {
        System.err.println(
            "Keycloak refused " + adminUser + " in realm " + adminRealm + ": check the password");
        return 1;
      } catch (ProcessingException e) {
        System.err.println("Cannot reach Keycloak at " + base + ": " + rootMessage(e));
        return 1;
      } catch (WebApplicationException e) {
        if (e.getResponse().getStatus() == 401) {
          System.err.println(
              "Keycloak refused " + adminUser + " in realm " + adminRealm + ": check the password");
          return 1;
        }
        System.err.println(
            "Keycloak answered " + e.getResponse().getStatus() + ": " + body(e.getResponse()));
        return 1;
      } catch (IllegalArgumentException e) {
        System.err.println(e.getMessage());
        return 1;
      }
    }

    private void provision(Keycloak keycloak, RealmRepresentation wanted) {
      String name = wanted.getRealm();
      boolean exists =
          keycloak.realms().findAll().stream().anyMatch(r -> r.getRealm().equals(name));
      if (!exists) {
        keycloak.realms().create(wanted);
        System.out.println("realm " + name + ": created, with its roles and clients");
      } else {
        System.out.println("realm " + name + ": present");
      }
      RealmResource realm = keycloak.realm(name);
      List<RoleRepresentation> roles =
          wanted.getRoles() == null || wanted.getRoles().getRealm() == null
              ? List.of()
              : wanted.getRoles().getRealm();
      for (RoleRepresentation role : roles) {
        if (find(() -> realm.roles().get(role.getName()).toRepresentation()).isPresent()) {
          System.out.println("role " + role.getName() + ": present");
        } else {
          realm.roles().create(role);
          System.out.println("role " + role.getName() + ": created");
        }
      }
      List<ClientRepresentation> clients =
          wanted.getClients() == null ? List.of() : wanted.getClients();
      for (ClientRepresentation client : clients) {
        List<ClientRepresentation> found = realm.clients().findByClientId(client.getClientId());
        if (found.isEmpty()) {
          try (Response r = realm.clients().create(client)) {
            check(r, "client " + client.getClientId());
          }
          System.out.println("client " + client.getClientId() + ": created");
          continue;
        }
        System.out.println("client " + client.getClientId() + ": present");
        ClientResource resource = realm.clients().get(found.get(0).getId());
        List<ProtocolMapperRepresentation> mappers =
            client.getProtocolMappers() == null ? List.of() : client.getProtocolMappers();
        for (ProtocolMapperRepresentation mapper : mappers) {
          boolean has =
              resource.getProtocolMappers().getMappers().stream()
                  .anyMatch(m -> m.getName().equals(mapper.getName()));
          if (has) {
            System.out.println("  mapper " + mapper.getName() + ": present");
          } else {
            try (Response r = resource.getProtocolMappers().createMapper(mapper)) {
              check(r, "mapper " + mapper.getName());
            }
            System.out.println("  mapper " + mapper.getName() + ": created");
          }
        }
      }
      for (String grant : grants) {
        int eq = grant.indexOf('=');
        if (eq < 1) {
          throw new IllegalArgumentException("--grant takes USER=ROLE, not " + grant);
        }
        String user = grant.substring(0, eq);
        String roleName = grant.substring(eq + 1);
        if (roles.stream().noneMatch(r -> r.getName().equals(roleName))) {
          throw new IllegalArgumentException(
              roleName + " is not an AIX role (aix-admin, aix-integrator, aix-viewer)");
        }
        List<UserRepresentation> users = realm.users().searchByUsername(user, true);
        if (users.isEmpty()) {
          throw new IllegalArgumentException(
              "no user " + user + " in realm " + name + "; create the user first");
        }
        var mapping = realm.users().get(users.get(0).getId()).roles().realmLevel();
        if (mapping.listEffective().stream().anyMatch(r -> r.getName().equals(roleName))) {
          System.out.println("user " + user + ": has " + roleName);
        } else {
          mapping.add(List.of(realm.roles().get(roleName).toRepresentation()));
          System.out.println("user " + user + ": granted " + roleName);
        }
      }
    }

    private static <T> Optional<T> find(java.util.function.Supplier<T> lookup) {
      try {
        return Optional.ofNullable(lookup.get());
      } catch (NotFoundException e) {
        return Optional.empty();
      }
    }

    private static void check(Response r, String what) {
      if (r.getStatus() >= 300) {
        throw new WebApplicationException(what + " not created", r);
      }
    }

    private static String body(Response r) {
      try {
        return r.readEntity(String.class);
      } catch (RuntimeException e) {
        return "(no body)";
      }
    }

    private static String rootMessage(Throwable e) {
      Throwable t = e;
      while (t.getCause() != null) {
        t = t.getCause();
      }
      return String.valueOf(t.getMessage());
    }
  }
}
