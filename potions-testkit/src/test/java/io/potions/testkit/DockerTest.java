package io.potions.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

class DockerTest {
  @Test
  void imageReferencesSplitIntoNameAndTag() {
    assertThat(Docker.splitTag("potions-testkit/provisioned:0123abcd")).containsExactly("potions-testkit/provisioned", "0123abcd");
    assertThat(Docker.splitTag("debian:bookworm")).containsExactly("debian", "bookworm");
    assertThat(Docker.splitTag("registry.local:5000/debian")).containsExactly("registry.local:5000/debian", "latest");
    assertThat(Docker.splitTag("registry.local:5000/debian:12")).containsExactly("registry.local:5000/debian", "12");
  }

  @Test
  void aBuildContextHoldsTheDockerfileAlone() throws IOException {
    byte[] tar = Docker.tar(Map.of("Dockerfile", "FROM scratch\n".getBytes(StandardCharsets.UTF_8)));
    try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
      TarArchiveEntry entry = in.getNextTarEntry();
      assertThat(entry.getName()).isEqualTo("Dockerfile");
      assertThat(entry.getMode() & 0777).isEqualTo(0644);
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("FROM scratch\n");
      assertThat(in.getNextTarEntry()).isNull();
    }
  }

  @Test
  void tailKeepsTheLastLines() {
    assertThat(Docker.tail("a\nb\nc\nd", 2)).isEqualTo("c\nd");
    assertThat(Docker.tail("only", 30)).isEqualTo("only");
  }
}
