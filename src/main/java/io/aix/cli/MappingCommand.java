package io.aix.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aix.mapping.MappingLoader;
import io.aix.mapping.MappingPreview;
import io.aix.mapping.MappingProfile;
import io.aix.profile.ConfigException;
import io.aix.profile.ConfigNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./aix mapping test}: what a CRM record becomes, without a CRM or a database. */
@Command(
    name = "mapping",
    mixinStandardHelpOptions = true,
    description = "Mapping profiles: try one on a CRM record.",
    subcommands = {MappingCommand.Test.class})
public class MappingCommand {

  @Command(
      name = "test",
      mixinStandardHelpOptions = true,
      description =
          "Maps one CRM record (a JSON file as the CRM's API returns it) through a mapping and"
              + " prints the canonical lead, or every reason it would be dead-lettered. Exit 0"
              + " mapped, 1 rejected, 2 the mapping or the file is wrong.")
  static class Test implements Callable<Integer> {
    @ConfigProperty(name = "aix.config-dir", defaultValue = ".")
    String configDir;

    @Option(
        names = "--mapping",
        required = true,
        description = "Mapping id (mappings/<id>.yaml) or the path of a mapping file.")
    String mapping;

    @Option(names = "--record", required = true, description = "The CRM record, a JSON file.")
    Path record;

    @Override
    public Integer call() throws IOException {
      Path file = Path.of(mapping);
      if (!Files.isRegularFile(file)) {
        file = Path.of(configDir, "mappings", mapping + ".yaml");
      }
      if (!Files.isRegularFile(file)) {
        System.err.println("aix: no mapping file " + file + " (and no file named " + mapping + ")");
        return 2;
      }
      MappingProfile profile;
      try {
        profile = MappingLoader.load(ConfigNode.read(file));
      } catch (ConfigException e) {
        System.err.println("aix: " + e.getMessage());
        return 2;
      }
      ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      JsonNode input;
      try {
        input = json.readTree(record.toFile());
      } catch (IOException e) {
        System.err.println("aix: " + record + " is not JSON: " + e.getMessage());
        return 2;
      }
      if (input == null || !input.isObject()) {
        System.err.println("aix: " + record + " must hold one JSON object, the CRM record");
        return 2;
      }
      ObjectNode result = MappingPreview.preview(profile, input, json);
      System.out.println(json.writeValueAsString(result));
      return result.has("rejected") ? 1 : 0;
    }
  }
}
