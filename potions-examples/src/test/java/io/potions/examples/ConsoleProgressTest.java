package io.potions.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.potions.progress.ProgressEvent;
import io.potions.testkit.Tee;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {
  @Test
  void eachStepIsOneLineWithItsOutcomeAndDuration() {
    Tee tee = Tee.to(System.out);
    ConsoleProgress progress = new ConsoleProgress(tee.out(), false);
    progress.onEvent(new ProgressEvent.StepStarted("web-1", "packages", "Install packages"));
    progress.onEvent(new ProgressEvent.StepOutput("web-1", "packages", "apt noise"));
    progress.onEvent(new ProgressEvent.StepFinished("web-1", "packages", false, Duration.ofMillis(120)));
    progress.onEvent(new ProgressEvent.StepStarted("web-1", "build", "Build abc1234"));
    progress.onEvent(new ProgressEvent.StepFailed("web-1", "build", "mix failed\nsee the log", Duration.ofSeconds(12)));
    assertThat(tee.text()).isEqualTo(String.join("\n",
        "      Install packages ... ok 0.1 s (already in place)",
        "      Build abc1234 ... FAILED after 12 s",
        "        ! mix failed",
        "        ! see the log", ""));
    assertThat(progress.unchangedSteps()).isEqualTo(1);
  }

  @Test
  void verboseShowsTheOutputAndRepeatsTheTitleAtTheEnd() {
    Tee tee = Tee.to(System.out);
    ConsoleProgress progress = new ConsoleProgress(tee.out(), true);
    progress.onEvent(new ProgressEvent.StepStarted("web-1", "build", "Build abc1234"));
    progress.onEvent(new ProgressEvent.StepOutput("web-1", "build", "==> mix compile"));
    progress.onEvent(new ProgressEvent.StepFinished("web-1", "build", true, Duration.ofMillis(8100)));
    progress.onEvent(new ProgressEvent.DeployQueued("web-1", "queue", "shop", 2));
    progress.note("done");
    assertThat(tee.text()).isEqualTo(String.join("\n",
        "      Build abc1234 ... ",
        "        | ==> mix compile",
        "      Build abc1234 ... ok 8.1 s",
        "      waiting in the deploy queue of web-1: 2 deploy(s) ahead of shop",
        "      done", ""));
    assertThat(progress.changedSteps()).isEqualTo(1);
  }

  @Test
  void durationsAndSizesReadWell() {
    assertThat(ConsoleProgress.duration(Duration.ofMillis(420))).isEqualTo("0.4 s");
    assertThat(ConsoleProgress.duration(Duration.ofMillis(12_400))).isEqualTo("12 s");
    assertThat(ConsoleProgress.duration(Duration.ofSeconds(125))).isEqualTo("2 min 5 s");
    assertThat(ConsoleProgress.size(812)).isEqualTo("812 B");
    assertThat(ConsoleProgress.size(4198)).isEqualTo("4.1 KB");
    assertThat(ConsoleProgress.size(16_621_531)).isEqualTo("15.9 MB");
  }
}
