package io.meshmq.broker.it.v3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshmq.broker.config.BrokerSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.Test;

/** Shared subscriptions ($share/group/filter) used by MQTT 3.1.1 clients. */
class SharedSubscriptionV3Test extends V3TestSupport {

  private static final int MESSAGES = 30;

  private List<Client> members(String group, String filter, int n) throws Exception {
    String[] ids = new String[n];
    for (int i = 0; i < n; i++) {
      ids[i] = group + "-member-" + i;
    }
    List<Client> members = List.of(connectAll(true, ids));
    for (Client c : members) {
      c.subscribe("$share/" + group + "/" + filter, 1);
    }
    return members;
  }

  private static List<String> payloads(int n) {
    List<String> p = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      p.add("m" + i);
    }
    return p;
  }

  @Test
  void eachMessageGoesToExactlyOneMemberRoundRobinAndPlainSubscribersGetAll() throws Exception {
    startBroker();
    List<Client> members = members("g", "sh/t", 3);
    Client[] cs = connectAll(true, "plain", "pub");
    Client plain = cs[0];
    Client pub = cs[1];
    plain.subscribe("sh/t", 1);

    for (String p : payloads(MESSAGES)) {
      pub.publish("sh/t", p, 1, false);
    }

    // The non-shared subscriber gets every message, in order.
    assertThat(plain.received.next(MESSAGES)).extracting(Received::payload).containsExactlyElementsOf(payloads(MESSAGES));

    List<List<Received>> per = drain(members, MESSAGES);
    List<String> all = new ArrayList<>();
    per.forEach(list -> list.forEach(r -> all.add(r.payload())));
    assertThat(all).as("every message exactly once across the group").containsExactlyInAnyOrderElementsOf(payloads(MESSAGES));
    assertThat(per).as("round robin: an equal share each").allSatisfy(list -> assertThat(list).hasSize(MESSAGES / 3));
    for (List<Received> list : per) {
      assertThat(list).allSatisfy(r -> {
        assertThat(r.topic()).isEqualTo("sh/t");
        assertThat(r.qos()).isEqualTo(1);
      });
    }
    for (Client m : members) {
      m.received.assertNothingMore();
    }
  }

  @Test
  void everyGroupGetsItsOwnCopy() throws Exception {
    startBroker();
    List<Client> groupA = members("a", "multi/#", 2);
    List<Client> groupB = members("b", "multi/#", 2);
    Client pub = connect("pub", true);
    for (int i = 0; i < 10; i++) {
      pub.publish("multi/x", "m" + i, 1, false);
    }
    List<List<Received>> a = drain(groupA, 10);
    List<List<Received>> b = drain(groupB, 10);
    for (List<List<Received>> group : List.of(a, b)) {
      List<String> got = new ArrayList<>();
      group.forEach(list -> list.forEach(r -> got.add(r.payload())));
      assertThat(got).containsExactlyInAnyOrderElementsOf(payloads(10));
      assertThat(group).allSatisfy(list -> assertThat(list).hasSize(5));
    }
    for (Client m : groupA) {
      m.received.assertNothingMore();
    }
    for (Client m : groupB) {
      m.received.assertNothingMore();
    }
  }

  @Test
  void sharedSubscriptionGrantsTheRequestedQosAndDowngradesAsUsual() throws Exception {
    startBroker();
    Client[] cs = connectAll(true, "solo", "pub");
    Client member = cs[0];
    Client pub = cs[1];
    member.subscribe("$share/q/down", 0);
    pub.publish("down", "m", 2, false);
    assertThat(member.received.next()).isEqualTo(new Received("down", "m", 0, false, false));
  }

  @Test
  void retainedMessagesAreNotSentForSharedSubscriptions() throws Exception {
    startBroker();
    Client[] cs = connectAll(true, "pub", "m");
    Client pub = cs[0];
    Client member = cs[1];
    pub.publish("ret/t", "retained", 1, true);
    member.subscribe("$share/g/ret/t", 1);
    pub.publish("ret/t", "live", 1, false);
    assertThat(member.received.until("live")).extracting(Received::payload).containsExactly("live");
  }

  @Test
  void whenAMemberLeavesTheOthersGetEverything() throws Exception {
    startBroker();
    List<Client> members = members("leave", "lv/t", 3);
    members.get(2).paho.unsubscribe("$share/leave/lv/t");
    Client pub = connect("pub", true);
    for (String p : payloads(10)) {
      pub.publish("lv/t", p, 1, false);
    }
    List<List<Received>> per = drain(members.subList(0, 2), 10);
    assertThat(per.get(0)).hasSize(5);
    assertThat(per.get(1)).hasSize(5);
    members.get(2).received.assertNothingMore();
  }

  @Test
  void sharedSubscriptionsCanBeDisabled() throws Exception {
    startBroker(BrokerSettings.SHARED_SUBSCRIPTIONS, false);
    Client c = connect("nope", true);
    int granted;
    try {
      granted = c.paho.subscribeWithResponse("$share/g/t", 1).getGrantedQos()[0];
    } catch (MqttException e) {
      granted = e.getReasonCode(); // Paho reports a 0x80 SUBACK as an exception with that code
    }
    assertThat(granted).as("SUBACK return code").isEqualTo(0x80);
    assertThat(c.paho.isConnected()).isTrue();
  }

  /** Takes {@code total} messages off the members' queues (whichever member they went to), then returns them per member. */
  private static List<List<Received>> drain(List<Client> members, int total) throws Exception {
    List<List<Received>> per = new ArrayList<>();
    for (int i = 0; i < members.size(); i++) {
      per.add(new ArrayList<>());
    }
    await().atMost(Duration.ofSeconds(WAIT_SECONDS)).pollInterval(Duration.ofMillis(20)).until(() -> {
      for (int i = 0; i < members.size(); i++) {
        members.get(i).received.queue.drainTo(per.get(i));
      }
      return per.stream().mapToInt(List::size).sum() >= total;
    });
    return per;
  }
}
