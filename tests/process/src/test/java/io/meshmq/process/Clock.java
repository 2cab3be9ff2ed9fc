package io.meshmq.process;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** Wall-clock times in the brokers' log format (same machine, same zone), so test events line up with node logs. */
final class Clock {

  static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

  private Clock() {
  }

  static String now() {
    return format(System.currentTimeMillis());
  }

  static String format(long epochMillis) {
    return FORMAT.format(LocalDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneId.systemDefault()));
  }

  static long parse(String timestamp) {
    return LocalDateTime.parse(timestamp, FORMAT).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();
  }

  /** A test-side log line on stdout (surefire shows it and keeps it in the report). */
  static void log(String message) {
    System.out.println(now() + " [test] " + message);
    System.out.flush();
  }
}
