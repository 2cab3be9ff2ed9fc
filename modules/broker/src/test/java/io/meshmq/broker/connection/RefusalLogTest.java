package io.meshmq.broker.connection;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RefusalLogTest {

  private final AtomicLong now = new AtomicLong(1_000_000);
  private final Logger logger = (Logger) LoggerFactory.getLogger("test.refusals");
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

  @BeforeEach
  void attach() {
    logger.setLevel(ch.qos.logback.classic.Level.INFO);
    lines.start();
    logger.addAppender(lines);
  }

  @AfterEach
  void detach() {
    logger.detachAppender(lines);
  }

  private List<String> logged() {
    return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Test
  void oneLinePerKeyPerIntervalAndTheNextSaysHowManyWereNotLogged() {
    RefusalLog log = new RefusalLog(logger, 60_000, now::get);
    for (int i = 0; i < 5; i++) {
      log.info("10.0.0.1", "refused {}", i);
    }
    log.info("10.0.0.2", "refused {}", "other");
    assertThat(logged()).containsExactly("refused 0", "refused other");

    now.addAndGet(60_000);
    log.info("10.0.0.1", "refused {}", 5);
    log.info("10.0.0.1", "refused {}", 6);
    assertThat(logged()).containsExactly("refused 0", "refused other",
        "refused 5 (and 4 more not logged since the last line)");
  }

  @Test
  void intervalZeroLogsEveryRefusal() {
    RefusalLog log = new RefusalLog(logger, 0, now::get);
    log.info("k", "a");
    log.info("k", "b");
    assertThat(logged()).containsExactly("a", "b");
  }

  @Test
  void theNumberOfTrackedKeysIsBounded() {
    RefusalLog log = new RefusalLog(logger, 60_000, now::get);
    for (int i = 0; i < RefusalLog.MAX_KEYS + 500; i++) {
      log.info("host-" + i, "refused {}", i);
    }
    assertThat(log.trackedKeys()).isLessThanOrEqualTo(RefusalLog.MAX_KEYS + 1);
    assertThat(logged()).as("beyond the bound, new sources share one line").hasSize(RefusalLog.MAX_KEYS + 1);
    now.addAndGet(60_000);
    log.info("late", "refused late");
    assertThat(log.trackedKeys()).as("stale keys are evicted to make room").isLessThanOrEqualTo(2);
  }
}
