package io.meshmq.server.config;

import java.util.ArrayList;
import java.util.List;

/** Reads {@code --set key=value} command-line arguments. */
final class SetArguments {

  private SetArguments() {
  }

  static List<RawSetting> read(List<String> arguments, ConfigProblems problems) {
    List<RawSetting> out = new ArrayList<>();
    for (String argument : arguments) {
      String source = "--set " + argument;
      int eq = argument.indexOf('=');
      if (eq <= 0) {
        problems.add(argument, "expected --set key=value", source);
      } else {
        // the value is everything after the first '=', so values may contain '=' themselves
        out.add(new RawSetting(argument.substring(0, eq).trim(), argument.substring(eq + 1), source));
      }
    }
    return out;
  }
}
