package io.potions.digitalocean.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The simulation's regions, sizes and images, shaped like DigitalOcean's. */
final class Catalog {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> REGIONS = List.of(
      "nyc1", "nyc3", "sfo2", "sfo3", "ams3", "sgp1", "lon1", "fra1", "tor1", "blr1", "syd1");
  private static final List<String> REGION_NAMES = List.of(
      "New York 1", "New York 3", "San Francisco 2", "San Francisco 3", "Amsterdam 3", "Singapore 1",
      "London 1", "Frankfurt 1", "Toronto 1", "Bangalore 1", "Sydney 1");
  // slug, memory MiB, vcpus, disk GB, transfer TB, monthly USD
  private static final Object[][] SIZES = {
      {"s-1vcpu-512mb-10gb", 512, 1, 10, 0.5, 4.0},
      {"s-1vcpu-1gb", 1024, 1, 25, 1.0, 6.0},
      {"s-1vcpu-2gb", 2048, 1, 50, 2.0, 12.0},
      {"s-2vcpu-2gb", 2048, 2, 60, 3.0, 18.0},
      {"s-2vcpu-4gb", 4096, 2, 80, 4.0, 24.0},
      {"s-4vcpu-8gb", 8192, 4, 160, 5.0, 48.0},
  };
  // slug, name, distribution, kind
  private static final String[][] IMAGES = {
      {"ubuntu-24-04-x64", "24.04 (LTS) x64", "Ubuntu", "distribution"},
      {"ubuntu-22-04-x64", "22.04 (LTS) x64", "Ubuntu", "distribution"},
      {"debian-12-x64", "12 x64", "Debian", "distribution"},
      {"fedora-41-x64", "41 x64", "Fedora", "distribution"},
      {"rockylinux-9-x64", "9 x64", "Rocky Linux", "distribution"},
      {"docker-20-04", "Docker on Ubuntu 22.04", "Ubuntu", "application"},
  };

  private Catalog() {}

  static List<ObjectNode> regions() {
    List<ObjectNode> out = new ArrayList<>();
    for (int i = 0; i < REGIONS.size(); i++) {
      ObjectNode r = JSON.createObjectNode().put("name", REGION_NAMES.get(i)).put("slug", REGIONS.get(i));
      r.putArray("features").add("backups").add("ipv6").add("metadata").add("install_agent");
      r.put("available", !REGIONS.get(i).equals("nyc1"));
      ArrayNode sizes = r.putArray("sizes");
      for (Object[] s : SIZES) {
        sizes.add((String) s[0]);
      }
      out.add(r);
    }
    return out;
  }

  static List<ObjectNode> sizes() {
    List<ObjectNode> out = new ArrayList<>();
    for (Object[] s : SIZES) {
      double monthly = (Double) s[5];
      ObjectNode n = JSON.createObjectNode().put("slug", (String) s[0]).put("memory", (Integer) s[1])
          .put("vcpus", (Integer) s[2]).put("disk", (Integer) s[3]).put("transfer", (Double) s[4])
          .put("price_monthly", monthly).put("price_hourly", Math.round(monthly / 672 * 1e5) / 1e5);
      ArrayNode regions = n.putArray("regions");
      REGIONS.forEach(regions::add);
      n.put("available", true).put("description", "Basic");
      n.putArray("disk_info").addObject().put("type", "local").putObject("size")
          .put("amount", (Integer) s[3]).put("unit", "gib");
      out.add(n);
    }
    return out;
  }

  /** Images, each with an {@code x-kind} field the simulation strips before answering. */
  static List<ObjectNode> images() {
    List<ObjectNode> out = new ArrayList<>();
    long id = 160_000_000;
    for (String[] i : IMAGES) {
      ObjectNode n = JSON.createObjectNode().put("id", id++).put("name", i[1]).put("type", "base")
          .put("distribution", i[2]).put("slug", i[0]).put("public", true);
      ArrayNode regions = n.putArray("regions");
      REGIONS.forEach(regions::add);
      n.put("created_at", "2024-04-25T00:00:00Z").put("min_disk_size", 7).put("size_gigabytes", 2.34)
          .put("description", i[2] + " " + i[1]).put("status", "available").put("x-kind", i[3]);
      n.putArray("tags");
      out.add(n);
    }
    return out;
  }

  static Optional<ObjectNode> region(String slug) {
    return regions().stream().filter(r -> r.path("slug").asText().equals(slug)).findFirst();
  }

  static Optional<ObjectNode> size(String slug) {
    return sizes().stream().filter(r -> r.path("slug").asText().equals(slug)).findFirst();
  }

  static Optional<ObjectNode> image(String slug) {
    return images().stream().filter(r -> r.path("slug").asText().equals(slug)).findFirst();
  }
}
