package io.potions.internal.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Rendering is strict: a typo in a template or in the Java that fills it never ships. */
class ScriptTemplateTest {
  @Test
  void namedPlaceholdersAreReplacedEverywhereTheyAppear() {
    String out = ScriptTemplate.of("t", "cd @@DIR@@ && ls @@DIR@@/x # @@NOTE@@\n")
        .quoted("DIR", "/opt/my app").raw("NOTE", "it's raw").render();
    assertThat(out).isEqualTo("cd '/opt/my app' && ls '/opt/my app'/x # it's raw\n");
  }

  @Test
  void quotedValuesAreOneShellWordWhateverTheyHold() {
    assertThat(ScriptTemplate.of("t", "echo @@V@@").quoted("V", "a'b $(id) `x`").render())
        .isEqualTo("echo 'a'\\''b $(id) `x`'");
    assertThat(ScriptTemplate.of("t", "echo @@V@@").quoted("V", "").render()).isEqualTo("echo ''");
  }

  @Test
  void valuesAreInsertedOnceAndNeverExpandedAgain() {
    assertThat(ScriptTemplate.of("t", "@@A@@ @@B@@").raw("A", "@@B@@").raw("B", "b").render())
        .isEqualTo("@@B@@ b");
  }

  @Test
  void aPlaceholderWithoutAValueIsRefused() {
    assertThatThrownBy(() -> ScriptTemplate.of("t", "rm -rf @@DIR@@/@@NAME@@").quoted("DIR", "/x").render())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("NAME");
  }

  @Test
  void aValueForAPlaceholderTheTextLacksIsRefused() {
    assertThatThrownBy(() -> ScriptTemplate.of("t", "echo @@DIR@@").raw("DIR", "a").raw("DRI", "b").render())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("DRI");
  }

  @Test
  void malformedPlaceholdersAreRefused() {
    for (String text : new String[] {"echo @@dir@@", "echo @@ DIR@@", "echo @@DIR", "echo @@", "a@@@DIR@@",
        "echo @@@@"}) {
      assertThatThrownBy(() -> ScriptTemplate.of("t", text).render()).as(text)
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("malformed placeholder");
    }
    // A single @ is just text (curl's @file, git's @{u}).
    assertThat(ScriptTemplate.of("t", "curl --data-binary @- x@y").render()).isEqualTo("curl --data-binary @- x@y");
  }

  @Test
  void aValueGivenTwiceOrABadNameIsRefused() {
    assertThatThrownBy(() -> ScriptTemplate.of("t", "@@A@@").raw("A", "1").quoted("A", "2"))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> ScriptTemplate.of("t", "@@A@@").raw("a", "1"))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aMissingResourceIsRefused() {
    assertThatThrownBy(() -> ScriptTemplate.load(ScriptTemplateTest.class, "/io/potions/scripts/nope.sh"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("nope.sh");
  }

  @Test
  void resourcesLoadWithTheirPlaceholders() {
    assertThat(ScriptTemplate.load(ScriptTemplateTest.class, "/io/potions/scripts/server/sudoers").placeholders())
        .containsExactly("DEPLOY_USER", "ADMIN_HELPER");
  }
}
