package io.potions.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the documentation from rotting: the Java code the Gradle page shows is the compiled
 * {@link GradleDeploy}, every relative link (and #anchor) resolves, and the index lists every page.
 */
class DocsTest {
  private static final Path DOCS = Path.of(System.getProperty("potions.docsDir", "../docs")).toAbsolutePath().normalize();
  private static final Path ROOT = DOCS.getParent();
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

  @Test
  void theGradlePageShowsTheCompiledCode() throws IOException {
    String source = Files.readString(ROOT.resolve("potions-examples/src/main/java/io/potions/examples/GradleDeploy.java"));
    String start = "  // snippet:gradle-deploy:start\n";
    String region = source.substring(source.indexOf(start) + start.length(),
        source.indexOf("  // snippet:gradle-deploy:end"));
    assertThat(region).contains("public static Deployment deploy(");
    assertThat(Files.readString(DOCS.resolve("build-tools.md"))).contains(region);
  }

  @Test
  void everyRelativeLinkAndAnchorResolves() throws IOException {
    List<String> broken = new ArrayList<>();
    for (Path page : pages()) {
      String text = withoutCodeBlocks(Files.readString(page));
      Matcher m = LINK.matcher(text);
      while (m.find()) {
        String target = m.group(1);
        if (target.matches("[a-z]+:.*")) {
          continue;
        }
        String file = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
        String anchor = target.contains("#") ? target.substring(target.indexOf('#') + 1) : null;
        Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
        if (!Files.exists(resolved)) {
          broken.add(ROOT.relativize(page) + ": " + target + " (no such file)");
        } else if (anchor != null && resolved.toString().endsWith(".md") && !anchors(resolved).contains(anchor)) {
          broken.add(ROOT.relativize(page) + ": " + target + " (no such heading)");
        }
      }
    }
    assertThat(broken).isEmpty();
  }

  @Test
  void theIndexListsEveryPage() throws IOException {
    String index = Files.readString(DOCS.resolve("README.md"));
    List<String> missing = new ArrayList<>();
    try (Stream<Path> files = Files.walk(DOCS)) {
      files.filter(p -> p.toString().endsWith(".md") && !p.getFileName().toString().equals("README.md"))
          .map(p -> DOCS.relativize(p).toString())
          .filter(rel -> !index.contains("(" + rel + ")"))
          .forEach(missing::add);
    }
    assertThat(missing).isEmpty();
  }

  @Test
  void theReadmeStartsWithTheQuickStartThenTheTestCommand() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    int quickStart = readme.indexOf("./potions");
    int tests = readme.indexOf("./run-tests");
    assertThat(quickStart).isPositive().isLessThan(tests);
    assertThat(readme.substring(0, tests)).doesNotContain("coming with");
    // CI runs exactly the README's test command.
    assertThat(Files.readString(ROOT.resolve(".ci/run"))).contains("./run-tests");
  }

  private static List<Path> pages() throws IOException {
    List<Path> pages = new ArrayList<>(List.of(ROOT.resolve("README.md")));
    try (Stream<Path> files = Files.walk(DOCS)) {
      files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    return pages;
  }

  private static String withoutCodeBlocks(String markdown) {
    return markdown.replaceAll("(?s)```.*?```", "").replaceAll("`[^`\n]*`", "");
  }

  /** Heading anchors as GitHub makes them: lowercase, punctuation dropped, spaces to hyphens. */
  private static Set<String> anchors(Path page) throws IOException {
    Set<String> anchors = new HashSet<>();
    for (String line : withoutFences(Files.readString(page)).split("\n")) {
      if (line.startsWith("#")) {
        String title = line.replaceFirst("^#+\\s*", "").toLowerCase(Locale.ROOT);
        anchors.add(title.replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'));
      }
    }
    return anchors;
  }

  private static String withoutFences(String markdown) {
    return markdown.replaceAll("(?s)```.*?```", "");
  }
}
