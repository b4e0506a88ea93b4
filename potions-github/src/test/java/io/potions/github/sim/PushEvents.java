package io.potions.github.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.potions.github.webhook.WebhookSignatures;
import io.potions.secret.Secret;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Webhook deliveries as GitHub sends them: {@code push} and {@code ping} payloads with every
 * property GitHub's published schema requires, and the headers ({@code X-GitHub-Event},
 * {@code X-GitHub-Delivery}, {@code X-Hub-Signature-256}) of a signed delivery.
 */
public final class PushEvents {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ZERO = "0000000000000000000000000000000000000000";

  private PushEvents() {}

  /** A delivery: headers and the raw body. */
  public record Delivery(Map<String, java.util.List<String>> headers, byte[] body) {
    /** @return the body as text */
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    /**
     * @param name a header
     * @param value its new value
     * @return a copy with the header replaced
     */
    public Delivery with(String name, String value) {
      Map<String, java.util.List<String>> h = new LinkedHashMap<>(headers);
      h.put(name, java.util.List.of(value));
      return new Delivery(h, body);
    }

    /**
     * @param name a header
     * @return a copy without the header
     */
    public Delivery without(String name) {
      Map<String, java.util.List<String>> h = new LinkedHashMap<>(headers);
      h.remove(name);
      return new Delivery(h, body);
    }
  }

  /**
   * @param fullName {@code owner/name}
   * @param ref such as {@code refs/heads/main}
   * @param before the previous head
   * @param after the new head
   * @param message the head commit's message
   * @return a push payload as GitHub sends it
   */
  public static ObjectNode push(String fullName, String ref, String before, String after, String message) {
    boolean deleted = after.equals(ZERO);
    ObjectNode p = JSON.createObjectNode();
    p.put("ref", ref).put("before", before).put("after", after).put("created", before.equals(ZERO))
        .put("deleted", deleted).put("forced", false).putNull("base_ref")
        .put("compare", "https://github.com/" + fullName + "/compare/" + before.substring(0, 12) + "..."
            + after.substring(0, 12));
    ArrayNode commits = p.putArray("commits");
    if (deleted) {
      p.putNull("head_commit");
    } else {
      ObjectNode head = commit(fullName, after, message);
      commits.add(head.deepCopy());
      p.set("head_commit", head);
    }
    p.set("repository", repository(fullName));
    p.putObject("pusher").put("name", "monalisa").put("email", "mona@example.com");
    p.set("sender", user("monalisa", 583231));
    return p;
  }

  /**
   * @param fullName {@code owner/name}
   * @param branch the deleted branch
   * @param before its last head
   * @return the push GitHub sends when a branch is deleted
   */
  public static ObjectNode deletion(String fullName, String branch, String before) {
    return push(fullName, "refs/heads/" + branch, before, ZERO, null);
  }

  /**
   * @param fullName {@code owner/name}
   * @return a ping payload as GitHub sends it when a webhook is created
   */
  public static ObjectNode ping(String fullName) {
    ObjectNode p = JSON.createObjectNode();
    p.put("zen", "Keep it logically awesome.").put("hook_id", 123456);
    ObjectNode hook = p.putObject("hook");
    hook.put("type", "Repository").put("id", 123456).put("name", "web").put("active", true);
    hook.putArray("events").add("push");
    hook.putObject("config").put("content_type", "json").put("insecure_ssl", "0")
        .put("url", "https://potions.example.com/github/webhook");
    hook.put("updated_at", "2026-01-02T03:04:05Z").put("created_at", "2026-01-02T03:04:05Z")
        .put("url", "https://api.github.com/repos/" + fullName + "/hooks/123456")
        .put("test_url", "https://api.github.com/repos/" + fullName + "/hooks/123456/test")
        .put("ping_url", "https://api.github.com/repos/" + fullName + "/hooks/123456/pings")
        .put("deliveries_url", "https://api.github.com/repos/" + fullName + "/hooks/123456/deliveries");
    hook.putObject("last_response").putNull("code").put("status", "unused").putNull("message");
    p.set("repository", repository(fullName));
    p.set("sender", user("monalisa", 583231));
    return p;
  }

  /**
   * Signs a payload and wraps it with the headers of a delivery.
   *
   * @param event {@code push} or {@code ping}
   * @param payload the payload
   * @param secret the webhook secret
   * @return the delivery, with a fresh delivery id
   */
  public static Delivery signed(String event, ObjectNode payload, Secret secret) {
    byte[] body = payload.toString().getBytes(StandardCharsets.UTF_8);
    Map<String, java.util.List<String>> h = new LinkedHashMap<>();
    h.put("Content-Type", java.util.List.of("application/json"));
    h.put("User-Agent", java.util.List.of("GitHub-Hookshot/5f2e1a9"));
    h.put("X-GitHub-Event", java.util.List.of(event));
    h.put("X-GitHub-Delivery", java.util.List.of(UUID.randomUUID().toString()));
    h.put("X-GitHub-Hook-ID", java.util.List.of("123456"));
    h.put("X-Hub-Signature-256", java.util.List.of(WebhookSignatures.sign(secret, body)));
    return new Delivery(h, body);
  }

  private static ObjectNode commit(String fullName, String sha, String message) {
    ObjectNode c = JSON.createObjectNode();
    c.put("id", sha).put("tree_id", "4b825dc642cb6eb9a060e54bf8d69288fbee4904").put("distinct", true)
        .put("message", message).put("timestamp", "2026-03-04T05:06:07+01:00")
        .put("url", "https://github.com/" + fullName + "/commit/" + sha);
    c.putObject("author").put("name", "Mona Lisa").put("email", "mona@example.com").put("username", "monalisa");
    c.putObject("committer").put("name", "Mona Lisa").put("email", "mona@example.com").put("username", "monalisa");
    c.putArray("added");
    c.putArray("removed");
    c.putArray("modified").add("VERSION");
    return c;
  }

  private static ObjectNode repository(String fullName) {
    String owner = fullName.substring(0, fullName.indexOf('/'));
    String name = fullName.substring(fullName.indexOf('/') + 1);
    String api = "https://api.github.com/repos/" + fullName;
    ObjectNode r = JSON.createObjectNode();
    r.put("id", 1296269).put("node_id", "MDEwOlJlcG9zaXRvcnkxMjk2MjY5").put("name", name).put("full_name", fullName)
        .put("private", true);
    r.set("owner", user(owner, 9919));
    r.put("html_url", "https://github.com/" + fullName).putNull("description").put("fork", false).put("url", api);
    String[] uris = {"contributors", "deployments", "downloads", "events", "forks", "hooks", "languages", "merges",
        "stargazers", "subscribers", "subscription", "tags", "teams"};
    for (String u : uris) {
      r.put(u + "_url", api + "/" + u);
    }
    Map<String, String> templates = new LinkedHashMap<>();
    templates.put("archive_url", "/{archive_format}{/ref}");
    templates.put("assignees_url", "/assignees{/user}");
    templates.put("blobs_url", "/git/blobs{/sha}");
    templates.put("branches_url", "/branches{/branch}");
    templates.put("collaborators_url", "/collaborators{/collaborator}");
    templates.put("comments_url", "/comments{/number}");
    templates.put("commits_url", "/commits{/sha}");
    templates.put("compare_url", "/compare/{base}...{head}");
    templates.put("contents_url", "/contents/{+path}");
    templates.put("git_commits_url", "/git/commits{/sha}");
    templates.put("git_refs_url", "/git/refs{/sha}");
    templates.put("git_tags_url", "/git/tags{/sha}");
    templates.put("issue_comment_url", "/issues/comments{/number}");
    templates.put("issue_events_url", "/issues/events{/number}");
    templates.put("issues_url", "/issues{/number}");
    templates.put("keys_url", "/keys{/key_id}");
    templates.put("labels_url", "/labels{/name}");
    templates.put("milestones_url", "/milestones{/number}");
    templates.put("notifications_url", "/notifications{?since,all,participating}");
    templates.put("pulls_url", "/pulls{/number}");
    templates.put("releases_url", "/releases{/id}");
    templates.put("statuses_url", "/statuses/{sha}");
    templates.put("trees_url", "/git/trees{/sha}");
    templates.forEach((k, v) -> r.put(k, api + v));
    r.putArray("topics");
    r.put("clone_url", "https://github.com/" + fullName + ".git").put("default_branch", "main")
        .put("master_branch", "main")
        .put("git_url", "git://github.com/" + fullName + ".git").put("ssh_url", "git@github.com:" + fullName + ".git")
        .put("svn_url", "https://github.com/" + fullName)
        .put("forks", 0).put("forks_count", 0).put("open_issues", 0).put("open_issues_count", 0)
        .put("stargazers_count", 0).put("watchers", 0).put("watchers_count", 0).put("size", 108)
        .put("has_downloads", true).put("has_issues", true).put("has_projects", false).put("has_wiki", false)
        .put("has_pages", false).putNull("homepage").put("language", "Elixir").put("archived", false)
        .put("disabled", false).putNull("mirror_url").putNull("license").put("has_discussions", false)
        .put("visibility", "private")
        .put("pushed_at", "2026-01-01T00:00:00Z").put("created_at", "2025-01-01T00:00:00Z").put("updated_at", "2026-01-01T00:00:00Z");
    return r;
  }

  private static ObjectNode user(String login, long id) {
    ObjectNode u = JSON.createObjectNode();
    String api = "https://api.github.com/users/" + login;
    u.put("login", login).put("id", id).put("node_id", "MDQ6VXNlcjE=")
        .put("avatar_url", "https://avatars.githubusercontent.com/u/" + id).put("gravatar_id", "")
        .put("url", api).put("html_url", "https://github.com/" + login)
        .put("followers_url", api + "/followers").put("following_url", api + "/following{/other_user}")
        .put("gists_url", api + "/gists{/gist_id}").put("starred_url", api + "/starred{/owner}{/repo}")
        .put("subscriptions_url", api + "/subscriptions").put("organizations_url", api + "/orgs")
        .put("repos_url", api + "/repos").put("events_url", api + "/events{/privacy}")
        .put("received_events_url", api + "/received_events").put("type", "User").put("site_admin", false);
    return u;
  }
}
