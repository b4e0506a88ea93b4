package io.potions.github.webhook;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One auto-deploy registration: pushes to this repository's branch (or tags matching a pattern)
 * deploy to a target.
 *
 * @param repository {@code owner/name}, matched without regard to case as GitHub does
 * @param tags false for a branch, true for tags
 * @param name the branch's exact name, or the tags' pattern ({@code *} matches anything, such as
 *     {@code v*})
 * @param target what deploys, for people (such as the app's name)
 * @param trigger starts the deploy
 */
public record AutoDeployRule(String repository, boolean tags, String name, String target, DeployTrigger trigger) {
  boolean matches(String fullName, boolean isTag, String refName) {
    if (isTag != tags || !repository.toLowerCase(Locale.ROOT).equals(fullName.toLowerCase(Locale.ROOT))) {
      return false;
    }
    if (!tags) {
      return name.equals(refName);
    }
    StringBuilder regex = new StringBuilder();
    int from = 0;
    for (int i = 0; i < name.length(); i++) {
      if (name.charAt(i) == '*') {
        regex.append(Pattern.quote(name.substring(from, i))).append(".*");
        from = i + 1;
      }
    }
    regex.append(Pattern.quote(name.substring(from)));
    return refName.matches(regex.toString());
  }

  @Override
  public String toString() {
    return "AutoDeployRule[" + repository + (tags ? " tags " : " branch ") + name + " -> " + target + "]";
  }
}
