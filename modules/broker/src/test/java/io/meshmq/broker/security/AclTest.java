package io.meshmq.broker.security;

import static io.meshmq.broker.security.Acl.SubscribeVerdict.GRANTED;
import static io.meshmq.broker.security.Acl.SubscribeVerdict.NARROWED;
import static io.meshmq.broker.security.Acl.SubscribeVerdict.REFUSED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class AclTest {

  private static Acl acl(String... lines) {
    return Acl.parse("acl", List.of(lines));
  }

  @Test
  void badLinesAreReportedWithLineNumbers() {
    assertThatThrownBy(() -> Acl.parse("acl", List.of(
        "# comment",
        "allow all * both #",
        "permit user alice publish a/b",
        "allow group x publish a",
        "allow user alice read a",
        "allow user alice publish a/#/b",
        "allow user alice publish a/b+",
        "allow user alice publish",
        "allow all alice publish a",
        "deny client * subscribe $share/g/a")))
        .isInstanceOfSatisfying(FileFormatException.class, e -> assertThat(e.problems()).containsExactly(
            "line 3: 'permit' is neither allow nor deny",
            "line 4: 'group' is not user, client or all",
            "line 5: 'read' is not publish, subscribe or both",
            "line 6: topic pattern 'a/#/b' has '#' before its last level",
            "line 7: topic pattern 'a/b+' has '+' inside a level ('+' must be a whole level)",
            "line 8: expected 5 fields 'allow|deny user|client|all <name|*> publish|subscribe|both <topic pattern>', got 4",
            "line 9: the name of an 'all' rule must be *, got 'alice'",
            "line 10: topic pattern '$share/g/a' is a shared subscription; write the inner filter"))
        .hasMessageStartingWith("acl: 8 problems");
  }

  @Test
  void emptyAclDeniesEverything() {
    Acl a = acl("# nothing");
    assertThat(a.canPublish("alice", "c", "a")).isFalse();
    assertThat(a.canSubscribe("alice", "c", "a")).isFalse();
  }

  @Test
  void firstMatchWins() {
    Acl a = acl("deny user alice publish secret/#", "allow all * both #");
    assertThat(a.canPublish("alice", "c", "secret/x")).isFalse();
    assertThat(a.canPublish("bob", "c", "secret/x")).isTrue();
    assertThat(a.canPublish("alice", "c", "open/x")).isTrue();
    Acl b = acl("allow all * both #", "deny user alice publish secret/#");
    assertThat(b.canPublish("alice", "c", "secret/x")).isTrue();
  }

  @Test
  void subjectsUserClientAll() {
    Acl a = acl("allow user alice publish u", "allow client dev-1 publish c", "allow user * publish any-user",
        "allow client * publish any-client");
    assertThat(a.canPublish("alice", "x", "u")).isTrue();
    assertThat(a.canPublish("bob", "x", "u")).isFalse();
    assertThat(a.canPublish(null, "dev-1", "c")).isTrue();
    assertThat(a.canPublish(null, "dev-2", "c")).isFalse();
    assertThat(a.canPublish("bob", "x", "any-user")).isTrue();
    assertThat(a.canPublish(null, "x", "any-user")).as("anonymous has no user").isFalse();
    assertThat(a.canPublish(null, "x", "any-client")).isTrue();
  }

  @Test
  void actionsPublishSubscribeBoth() {
    Acl a = acl("allow all * publish p", "allow all * subscribe s", "allow all * both b");
    assertThat(a.canPublish(null, "c", "p")).isTrue();
    assertThat(a.canSubscribe(null, "c", "p")).isFalse();
    assertThat(a.canPublish(null, "c", "s")).isFalse();
    assertThat(a.canSubscribe(null, "c", "s")).isTrue();
    assertThat(a.canPublish(null, "c", "b")).isTrue();
    assertThat(a.canSubscribe(null, "c", "b")).isTrue();
  }

  @Test
  void usernameAndClientIdSubstitution() {
    Acl a = acl("allow all * both users/%u/#", "allow all * publish clients/%c/+", "allow all * subscribe x/%u-%c");
    assertThat(a.canPublish("alice", "c1", "users/alice/a/b")).isTrue();
    assertThat(a.canPublish("bob", "c1", "users/alice/a")).isFalse();
    assertThat(a.canPublish(null, "c1", "users/alice/a")).as("anonymous: %u cannot be filled").isFalse();
    assertThat(a.canPublish(null, "c1", "clients/c1/status")).isTrue();
    assertThat(a.canPublish(null, "c2", "clients/c1/status")).isFalse();
    assertThat(a.canSubscribe("alice", "c1", "x/alice-c1")).isTrue();
    assertThat(a.canSubscribe("alice", "c1", "users/alice/#")).isTrue();
    assertThat(a.canSubscribe("alice", "c1", "users/+/#")).isFalse();
  }

  @Test
  void substitutedValuesWithWildcardsOrSlashesNeverWidenARule() {
    Acl a = acl("allow all * both users/%u/#", "allow all * both dev/%c");
    assertThat(a.canSubscribe("#", "c", "users/#/#")).isFalse();
    assertThat(a.canPublish("a/b", "c", "users/a/b/x")).isFalse();
    assertThat(a.canSubscribe(null, "+", "dev/+")).isFalse();
    assertThat(a.canPublish(null, "x/y", "dev/x/y")).isFalse();
  }

  @Test
  void subscriptionMustBeCoveredByAnAllowRuleAndIsNarrowedWhenItOverlapsAnEarlierDeny() {
    Acl a = acl("deny all * subscribe sensors/secret", "allow all * subscribe sensors/#", "allow all * subscribe a/+/c");
    assertThat(a.subscribeVerdict(null, "c", "sensors/temp")).isEqualTo(GRANTED);
    assertThat(a.subscribeVerdict(null, "c", "sensors/+/x")).isEqualTo(GRANTED);
    assertThat(a.subscribeVerdict(null, "c", "sensors/secret")).as("reaches only the denied topic").isEqualTo(REFUSED);
    assertThat(a.subscribeVerdict(null, "c", "sensors/+")).as("could match sensors/secret").isEqualTo(NARROWED);
    assertThat(a.subscribeVerdict(null, "c", "sensors/#")).as("could match sensors/secret").isEqualTo(NARROWED);
    assertThat(a.subscribeVerdict(null, "c", "#")).as("not covered by any allow rule").isEqualTo(REFUSED);
    assertThat(a.subscribeVerdict(null, "c", "a/b/c")).isEqualTo(GRANTED);
    assertThat(a.subscribeVerdict(null, "c", "a/+/c")).isEqualTo(GRANTED);
    assertThat(a.subscribeVerdict(null, "c", "a/#")).isEqualTo(REFUSED);
    assertThat(a.subscribeVerdict(null, "c", "$share/g/sensors/temp")).as("shared: judged by the inner filter")
        .isEqualTo(GRANTED);
    assertThat(a.subscribeVerdict(null, "c", "$share/g/sensors/+")).isEqualTo(NARROWED);
    assertThat(a.subscribeVerdict(null, "c", "$share/g/sensors/secret")).isEqualTo(REFUSED);
    assertThat(a.canSubscribe(null, "c", "sensors/+")).as("a narrowed grant is a grant").isTrue();
    assertThat(a.canSubscribe(null, "c", "sensors/secret")).isFalse();
  }

  @Test
  void aNarrowedSubscriptionReceivesWhatTheFirstMatchingSubscribeRuleAllows() {
    Acl a = acl("deny all * subscribe test/nosubscribe", "allow user ops subscribe test/nosubscribe/log",
        "deny all * publish test/other", "allow all * both #");
    assertThat(a.subscribeVerdict(null, "c", "#")).isEqualTo(NARROWED);
    assertThat(a.subscribeVerdict(null, "c", "+/+")).isEqualTo(NARROWED);
    assertThat(a.subscribeVerdict(null, "c", "other/#")).isEqualTo(GRANTED);
    assertThat(a.canReceive(null, "c", "test/nosubscribe")).isFalse();
    assertThat(a.canReceive(null, "c", "test/other")).as("a publish rule says nothing about receiving").isTrue();
    assertThat(a.canReceive(null, "c", "test/nosubscribe/x")).as("the deny names one topic only").isTrue();
    assertThat(a.canReceive(null, "c", "$SYS/x")).as("'#' does not reach $ topics").isFalse();
  }

  @Test
  void aDenyRuleOfAnotherClientNeitherNarrowsNorWithholds() {
    Acl a = acl("deny user alice subscribe news/secret", "allow all * subscribe #");
    assertThat(a.subscribeVerdict("bob", "c", "news/#")).isEqualTo(GRANTED);
    assertThat(a.subscribeVerdict("alice", "c", "news/#")).isEqualTo(NARROWED);
    assertThat(a.canReceive("alice", "c", "news/secret")).isFalse();
    assertThat(a.canReceive("alice", "c", "news/open")).isTrue();
  }

  @Test
  void coversAndOverlaps() {
    assertThat(Acl.covers("#", "a/b")).isTrue();
    assertThat(Acl.covers("a/#", "a")).isTrue();
    assertThat(Acl.covers("a/#", "a/#")).isTrue();
    assertThat(Acl.covers("a/+", "a/+")).isTrue();
    assertThat(Acl.covers("a/+", "a/#")).isFalse();
    assertThat(Acl.covers("a/b", "a/+")).isFalse();
    assertThat(Acl.covers("a/+/#", "a/#")).isFalse();
    assertThat(Acl.covers("a/+", "a/b/c")).isFalse();
    assertThat(Acl.covers("#", "$SYS/#")).isFalse();
    assertThat(Acl.covers("$SYS/#", "$SYS/broker/+")).isTrue();

    assertThat(Acl.overlaps("a/b", "a/+")).isTrue();
    assertThat(Acl.overlaps("a/+", "a/b")).isTrue();
    assertThat(Acl.overlaps("a/#", "a")).isTrue();
    assertThat(Acl.overlaps("a", "a/#")).isTrue();
    assertThat(Acl.overlaps("a/b", "a/c")).isFalse();
    assertThat(Acl.overlaps("a/+", "a/b/c")).isFalse();
    assertThat(Acl.overlaps("+/+", "a/#")).isTrue();
    assertThat(Acl.overlaps("$SYS/x", "#")).isFalse();
    assertThat(Acl.overlaps("#", "$SYS/x")).isFalse();
    assertThat(Acl.overlaps("$SYS/#", "$SYS/x")).isTrue();
  }

  @Test
  void publishOnDollarTopicsNeedsAnExplicitRule() {
    Acl a = acl("allow all * both #");
    assertThat(a.canPublish(null, "c", "$SYS/x")).isFalse();
    assertThat(a.canPublish(null, "c", "a")).isTrue();
  }
}
