package io.potions.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.source.SourceCommit;
import io.potions.source.UnknownRefException;
import io.potions.testkit.SampleRepository;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectorySourceTest {
  @TempDir
  Path tmp;

  @Test
  void snapshotsAreStableAndBundlesLeaveOutWhatTheServerHas() throws Exception {
    Path dir = tmp.resolve("app");
    SampleRepository.copy(SampleRepository.sampleAppSources(), dir);
    Files.createDirectories(dir.resolve("_build/prod"));
    Files.writeString(dir.resolve("_build/prod/big.beam"), "ignored by .gitignore");
    List<String> reports = new ArrayList<>();
    DirectorySource source = new DirectorySource(dir, tmp.resolve("history.git"), reports::add);

    SourceCommit first = source.resolve("current");
    assertThat(source.resolve("current").sha()).isEqualTo(first.sha());
    assertThat(source.readFile(first, "VERSION")).contains("0.1.0\n");
    assertThat(source.readFile(first, "_build/prod/big.beam")).isEmpty();

    Files.writeString(dir.resolve("VERSION"), "0.2.0\n");
    SourceCommit second = source.resolve("current");
    assertThat(second.sha()).isNotEqualTo(first.sha());

    ByteArrayOutputStream full = new ByteArrayOutputStream();
    source.writeBundle(second, Set.of(), full);
    ByteArrayOutputStream thin = new ByteArrayOutputStream();
    source.writeBundle(second, Set.of(first.sha(), "not-a-sha", "0123456789012345678901234567890123456789"), thin);
    assertThat(thin.size()).isLessThan(full.size() / 4);
    assertThat(full.toString(java.nio.charset.StandardCharsets.ISO_8859_1)).contains("refs/potions/deploy");

    source.reportDeployment(second, "success", "live");
    assertThat(reports).containsExactly(second.shortSha() + " success: live");
    assertThat(dir.resolve(".git")).doesNotExist();
    assertThat(source.describe()).isEqualTo("directory " + dir);
  }

  @Test
  void badLabelsAndPlacesAreRefused() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("app"));
    assertThatThrownBy(() -> new DirectorySource(tmp.resolve("missing"), tmp.resolve("h"), r -> { }))
        .hasMessageContaining("does not exist");
    assertThatThrownBy(() -> new DirectorySource(dir, dir.resolve("history"), r -> { }))
        .hasMessageContaining("outside the directory");
    Files.createDirectories(tmp.resolve("repo/.git"));
    assertThatThrownBy(() -> new DirectorySource(tmp.resolve("repo"), tmp.resolve("h2.git"), r -> { }))
        .hasMessageContaining("GitRepositorySource.local");
    DirectorySource source = new DirectorySource(dir, tmp.resolve("h.git"), r -> { });
    assertThatThrownBy(() -> source.resolve("../main")).isInstanceOf(UnknownRefException.class);
  }
}
