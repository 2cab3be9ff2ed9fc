package io.meshmq.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hazelcast.core.IndeterminateOperationStateException;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Writes whose backup goes silent for longer than the backup time-out (two real members, their link stalled): a
 * plain write fails as "maybe written"; the broker's writers make idempotent writes again, read back a conditional
 * remove, and tell a client-id claim that the previous holder was lost. The link resumes only once the write has
 * been found indeterminate, so the outcome does not hang on how soon Hazelcast looks.
 */
class MaybeWrittenTest {

  static TwoMembersThroughRelays members;
  static Vertx vertx;

  @BeforeAll
  static void start() throws Exception {
    members = new TwoMembersThroughRelays();
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    members.close();
    vertx.close();
  }

  @AfterEach
  void resume() {
    members.resume();
  }

  @Test
  void aPlainWriteFailsAsMaybeWrittenWhileItsBackupIsSilent() {
    IMap<String, String> map = warm(members.a.getMap("plain"));
    String key = members.keyOwnedByA("k");
    members.stall();
    assertThat(map.setAsync(key, "v").toCompletableFuture()).failsWithin(30, TimeUnit.SECONDS)
        .withThrowableOfType(ExecutionException.class).withRootCauseInstanceOf(IndeterminateOperationStateException.class);
  }

  @Test
  void anIdempotentWriteIsMadeAgainUntilItsBackupHasIt() throws Exception {
    IMap<String, String> map = warm(members.a.getMap("again"));
    String key = members.keyOwnedByA("k");
    AtomicInteger attempts = new AtomicInteger();
    members.stall();
    Future<Void> write = MaybeWritten.again(() -> {
      attempts.incrementAndGet();
      return map.setAsync(key, "v");
    });
    await("the write found indeterminate and made again").atMost(Duration.ofSeconds(30)).until(() -> attempts.get() > 1);
    assertThat(write.isComplete()).as("done while its backup is silent").isFalse();
    members.resume();
    write.await(30, TimeUnit.SECONDS);
    assertThat(write.succeeded()).as("%s", write.cause()).isTrue();
    assertThat(map.get(key)).isEqualTo("v");
    assertThat(members.b.getMap("again").getLocalMapStats().getBackupEntryCount()).as("entries b holds as backup")
        .isEqualTo(1);
  }

  @Test
  void aConditionalRemoveWhoseOutcomeIsUnknownIsReadBack() throws Exception {
    IMap<String, byte[]> map = warm(members.a.getMap("remove"));
    String key = members.keyOwnedByA("k");
    map.set(key, new byte[] {1, 2, 3});
    members.stall();
    // The remove is indeterminate; the read-back is served by the owner alone, so it answers during the stall.
    Future<Boolean> removed = vertx.executeBlocking(() -> MaybeWritten.removeIfSame(map, key, new byte[] {1, 2, 3}), false);
    removed.await(30, TimeUnit.SECONDS);
    assertThat(removed.result()).as("removed (the entry is gone), though Hazelcast could not say").isTrue();
    assertThat(map.containsKey(key)).isFalse();
  }

  @Test
  void aClaimWhosePutIsMaybeWrittenSaysThePreviousHolderIsUnknown() throws Exception {
    IMap<String, String> map = warm(members.a.getMap("clients"));
    String clientId = members.keyOwnedByA("client-");
    map.set(clientId, ClientClaim.now("node-x"));
    ClientRegistry registry = new ClientRegistry(vertx, map, "node-a");
    members.stall();
    Future<String> claimed = registry.claim(clientId);
    assertThatThrownBy(() -> claimed.await(30, TimeUnit.SECONDS)).isInstanceOf(ClientRegistry.PreviousHolderUnknown.class);
    assertThat(ClientClaim.node(map.get(clientId))).isEqualTo("node-a");
  }

  /**
   * The map's first write, made before the stall: the first operation on a map sets it up on both members, which on a
   * busy machine can take longer than the short backup time-out of these tests.
   */
  private static <K, V> IMap<K, V> warm(IMap<K, V> map) {
    map.putAll(java.util.Map.of());
    members.b.getMap(map.getName()).size();
    return map;
  }
}
