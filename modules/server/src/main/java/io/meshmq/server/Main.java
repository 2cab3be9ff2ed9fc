package io.meshmq.server;

import io.meshmq.server.config.SettingsCatalogs;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.file.Path;

/** Entry point of {@code java -jar meshmq.jar}; everything but reading the process's own state is in {@link Cli}. */
public final class Main {

  private Main() {
  }

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("passwd")) {
      // The password file tool, as "meshmq passwd" (java -jar meshmq.jar passwd FILE add USER).
      PasswdTool.main(java.util.Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    Charset console = Charset.defaultCharset();
    Launcher launcher = new Launcher(SettingsCatalogs.all(), System.getenv(), Path.of(""));
    int code = new Cli(launcher, new PrintWriter(System.out, true, console), new PrintWriter(System.err, true, console))
        .execute(args);
    // When a signal stopped the broker the JVM is already exiting and this call just waits for the hooks to finish.
    System.exit(code);
  }
}
