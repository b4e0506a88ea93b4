package io.potions.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.potions.internal.provision.SystemFiles;
import io.potions.ssh.ExecResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The old slot's stop: the script runs here under bash against stand-ins for systemctl, ss and the
 * root helper that play a slot holding WebSockets; the root helper's connection closing runs for
 * real against a stand-in ss.
 */
class SlotStopTest {
  @TempDir
  Path dir;

  @Test
  void theStopTimeoutCoversTheAppsDrainAndTheWindow() {
    assertThat(SlotStop.stopTimeoutSeconds(Duration.ofSeconds(30), Duration.ofSeconds(10))).isEqualTo(70);
    assertThat(SlotStop.stopTimeoutSeconds(Duration.ofMinutes(10), Duration.ofMinutes(10))).isEqualTo(1230);
    assertThat(SlotStop.setStopTimeout("shop", Duration.ofSeconds(5), Duration.ZERO))
        .isEqualTo("sudo -n /usr/local/sbin/potions-admin stop-timeout shop 35");
  }

  @Test
  void anAppThatDrainsItselfIsLeftToItAndNothingIsClosedByPotions() throws Exception {
    // The app closes its 40 sockets itself, 10 per 0.2 s poll, and exits when none is left.
    Path bin = stand_ins(40, 10);
    ExecResult r = run(SlotStop.stop("shop", Slot.BLUE, 4001, Duration.ofSeconds(5), Duration.ofSeconds(2)), bin);
    SlotStop.Outcome outcome = SlotStop.Outcome.parse(r);
    assertThat(outcome.openAtDeadline()).as(r.out()).isZero();
    assertThat(outcome.closedByPotions()).isZero();
    assertThat(outcome.stopped()).isTrue();
    assertThat(Files.readString(dir.resolve("calls"))).startsWith("unit-stop-async shop blue\n")
        .doesNotContain("conn-spread");
  }

  @Test
  void whatIsStillOpenAtTheDeadlineIsHandedToTheRootHelperOnceWithTheWindow() throws Exception {
    // An app that closes nothing itself: 50 sockets at its 1 s deadline, a 2 s window.
    Path bin = stand_ins(50, 0);
    ExecResult r = run(SlotStop.stop("shop", Slot.GREEN, 4002, Duration.ofSeconds(1), Duration.ofSeconds(2)), bin);
    SlotStop.Outcome outcome = SlotStop.Outcome.parse(r);
    assertThat(outcome.openAtDeadline()).as(r.out()).isEqualTo(50);
    assertThat(outcome.closedByPotions()).isEqualTo(50);
    assertThat(outcome.stopped()).isTrue();
    List<String> spreads = Files.readAllLines(dir.resolve("calls")).stream().filter(l -> l.startsWith("conn-spread")).toList();
    assertThat(spreads).containsExactly("conn-spread shop 4002 2000");
    assertThat(outcome.describe("green", Duration.ofSeconds(1), Duration.ofSeconds(2)))
        .contains("50 connection(s) were still open", "closed 50 of them in batches over 2 s");
  }

  @Test
  void theRootHelperSpreadsTheClosesOverTheWindowByTheClockAndNeverCutsARequestInFlight() throws Exception {
    Path routes = Files.createDirectories(dir.resolve("routes"));
    Files.writeString(routes.resolve("shop"), "4000 4001\n");
    Path bin = Files.createDirectories(dir.resolve("bin2"));
    Path open = Files.writeString(dir.resolve("open"), "");
    Path log = dir.resolve("ss-calls");
    // 20 idle WebSockets (last sent after last received), 52050: a WebSocket whose client's pong
    // came last, 4 s ago, and 52099: a proxy connection whose last packet in (a request, 5 ms ago)
    // is not answered yet (last sent 900 ms ago). ss -K removes the ports its filter names; the
    // request in flight is answered after 1.2 s.
    StringBuilder ports = new StringBuilder();
    for (int p = 52000; p < 52020; p++) {
      ports.append(p).append(' ');
    }
    Files.writeString(open, ports + "52050 52099\n");
    Path started = dir.resolve("started");
    fake(bin, "ss", "[ -f " + started + " ] || date +%s%3N > " + started + "\n"
        + "if [ \"$1\" = -K ]; then\n"
        + "  printf '%s %s\\n' \"$(date +%s%3N)\" \"$*\" >> " + log + "\n"
        + "  keep=$(cat " + open + "); for p in $(grep -o ':5[0-9][0-9][0-9][0-9]' <<< \"$*\" | cut -d: -f2); do"
        + " keep=$(tr ' ' '\\n' <<< \"$keep\" | grep -vx \"$p\" | tr '\\n' ' '); done\n"
        + "  echo \"$keep\" > " + open + "; exit 0\n"
        + "fi\n"
        + "answered=$(( $(date +%s%3N) - $(cat " + started + ") > 1200 ))\n"
        + "for p in $(cat " + open + "); do\n"
        + "  echo \"0 0 127.0.0.1:4001 127.0.0.1:$p\"\n"
        + "  if [ \"$p\" = 52099 ] && [ $answered = 0 ]; then echo '\t cubic rto:204 lastsnd:900 lastrcv:5 lastack:5';"
        + " elif [ \"$p\" = 52050 ]; then echo '\t cubic rto:204 lastsnd:5000 lastrcv:4000 lastack:4000';"
        + " else echo '\t cubic rto:204 lastsnd:300 lastrcv:4000 lastack:300'; fi\n"
        + "done");
    String helper = SystemFiles.adminHelper().replace("ROUTE_DIR=/etc/potions/routes", "ROUTE_DIR=" + routes);
    Path script = Files.writeString(dir.resolve("helper"), helper);

    long t0 = System.nanoTime();
    Run spread = bash(List.of("bash", script.toString(), "conn-spread", "shop", "4001", "2000"), bin);
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertThat(spread.status).as(spread.output).isZero();
    assertThat(spread.output).contains("closed=22");
    assertThat(Files.readString(open)).isBlank();
    List<String> kills = Files.readAllLines(log);
    // Spread over the 2 s window in small batches, not closed in one go.
    // Spread over the 2 s window in batches sized from the time left (each tick of this stand-in ss
    // takes ~0.6 s on a loaded machine, a real one milliseconds), not closed in one go.
    long firstKill = Long.parseLong(kills.get(0).split(" ")[0]);
    long lastKill = Long.parseLong(kills.get(kills.size() - 1).split(" ")[0]);
    assertThat(kills.size()).as(String.join("\n", kills)).isGreaterThanOrEqualTo(3);
    assertThat(lastKill - firstKill).as(String.join("\n", kills)).isGreaterThanOrEqualTo(1000);
    assertThat(kills.get(0).split("dport").length - 1).as("the first batch").isLessThan(11);
    assertThat(seconds).isGreaterThan(1.5);
    // The connection with a request in flight was closed only once it had been answered.
    String busy = kills.stream().filter(k -> k.contains(":52099")).findFirst().orElseThrow();
    assertThat(Long.parseLong(busy.split(" ")[0]) - firstKill).isGreaterThanOrEqualTo(1000);
    // Closed from the proxy's side (its sockets still see the app's stable port 4000; their source
    // ports are the slot's peers), so conntrack forgets the old slot's mapping; parentheses balanced
    // (ss rejects an unbalanced filter).
    assertThat(kills).allMatch(k -> k.contains("established ( dport = :4000 and ( sport = :5"));

    Run notASlot = bash(List.of("bash", script.toString(), "conn-spread", "shop", "5432", "2000"), bin);
    assertThat(notASlot.status).isEqualTo(64);
    assertThat(notASlot.output).contains("port 5432 is not a slot port of shop");
    Run otherApp = bash(List.of("bash", script.toString(), "conn-spread", "blog", "4001", "2000"), bin);
    assertThat(otherApp.status).isEqualTo(64);
    assertThat(otherApp.output).contains("app blog has no route");
  }

  // ---- stand-ins ------------------------------------------------------------------------------

  /**
   * A slot holding {@code sockets} connections that closes {@code perPoll} of them itself on every
   * poll once stopping, and exits when none is left; the root helper's conn-spread closes them all.
   */
  private Path stand_ins(int sockets, int perPoll) throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path count = Files.writeString(dir.resolve("count"), Integer.toString(sockets));
    Path state = Files.writeString(dir.resolve("state"), "active");
    Path calls = dir.resolve("calls");
    fake(bin, "sudo", "shift 2; printf '%s\\n' \"$*\" >> " + calls + "\n"
        + "case \"$1\" in\n"
        + "  unit-stop-async) echo deactivating > " + state + " ;;\n"
        + "  conn-spread) echo closed=$(cat " + count + "); echo 0 > " + count + " ;;\n"
        + "esac");
    fake(bin, "systemctl", "s=$(cat " + state + "); n=$(cat " + count + ")\n"
        + "if [ \"$s\" = deactivating ]; then\n"
        + "  n=$((n - " + perPoll + ")); [ $n -gt 0 ] || n=0; echo $n > " + count + "\n"
        + "  if [ $n -eq 0 ]; then s=inactive; echo inactive > " + state + "; fi\n"
        + "fi\necho \"$s\"; [ \"$s\" = active ]");
    fake(bin, "ss", "n=$(cat " + count + "); for _ in $(seq 1 \"$n\"); do echo '0 0 127.0.0.1:4001 127.0.0.1:5000'; done");
    return bin;
  }

  private static void fake(Path bin, String name, String body) throws Exception {
    Path p = Files.writeString(bin.resolve(name), "#!/bin/bash\n" + body + "\n");
    p.toFile().setExecutable(true);
  }

  private ExecResult run(String script, Path bin) throws Exception {
    Path file = Files.writeString(dir.resolve("stop.sh"), "set -euo pipefail\n" + script);
    Run r = bash(List.of("bash", file.toString()), bin);
    return new ExecResult(r.status, r.output.lines().toList(), List.of(), Duration.ZERO);
  }

  private record Run(int status, String output) {}

  private static Run bash(List<String> command, Path bin) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), output);
  }
}
