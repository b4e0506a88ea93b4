package io.potions.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleRepositoryTest {
  @TempDir
  Path tmp;

  @Test
  void theRepositoryIsCreatedOnceThenReopenedAndVersionsAreBumped() {
    Path dir = tmp.resolve("sample");
    String first;
    try (SampleRepository repo = SampleRepository.openOrCreate(dir, SampleRepository.sampleAppSources())) {
      assertThat(repo.version()).isEqualTo("0.1.0");
      first = repo.head();
      assertThat(repo.bumpVersion()).isEqualTo("0.1.1");
      assertThat(repo.head()).isNotEqualTo(first);
    }
    try (SampleRepository again = SampleRepository.openOrCreate(dir, SampleRepository.sampleAppSources())) {
      assertThat(again.version()).isEqualTo("0.1.1");
    }
    assertThat(dir.resolve("_build")).doesNotExist();
    assertThat(dir.resolve("mix.exs")).exists();
  }

  @Test
  void missingSourcesSayWhereTheyWereLookedFor() {
    assertThatThrownBy(() -> SampleRepository.openOrCreate(tmp.resolve("x"), tmp.resolve("nowhere")))
        .hasMessageContaining("nowhere").hasMessageContaining("-Dpotions.sampleApp");
    assertThat(Files.exists(tmp.resolve("x/.git"))).isFalse();
  }

  @Test
  void nextVersionRaisesTheLastNumber() {
    assertThat(SampleRepository.nextVersion("0.1.9")).isEqualTo("0.1.10");
    assertThat(SampleRepository.nextVersion("2.0.0-rc1")).isEqualTo("2.0.0-rc2");
    assertThat(SampleRepository.nextVersion("v7")).isEqualTo("v8");
    assertThat(SampleRepository.nextVersion("dev")).isEqualTo("dev.1");
  }
}
