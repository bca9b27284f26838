package io.aix.profile;

/**
 * A configuration file is wrong. The message always reads {@code file:line: what is wrong}, so an
 * admin can jump straight to the line; start-up stops on it.
 */
public class ConfigException extends RuntimeException {
  private final String file;
  private final int line;
  private final String problem;

  public ConfigException(String file, int line, String problem) {
    super(file + ":" + line + ": " + problem);
    this.file = file;
    this.line = line;
    this.problem = problem;
  }

  public String file() {
    return file;
  }

  public int line() {
    return line;
  }

  public String problem() {
    return problem;
  }
}
