package io.potions.digitalocean.contract;

import org.junit.jupiter.api.Test;

class SpecLoadTimingTest {
  @Test
  void loads() {
    long t = System.nanoTime();
    OpenApiContract c = OpenApiContract.digitalOcean();
    System.err.println("LOAD ms " + (System.nanoTime() - t) / 1_000_000 + " paths " + c.api().getPaths().size());
    System.err.println(c.validateRequest("POST", "/v2/droplets", java.util.Map.of("Authorization", "Bearer x", "Content-Type", "application/json"),
        "{\"name\":\"web\",\"region\":\"fra1\",\"size\":\"s-1vcpu-1gb\",\"image\":\"ubuntu-24-04-x64\",\"tags\":[\"a\"],\"foo\":1}"));
    System.err.println(c.validateRequest("GET", "/v2/droplets?per_page=500&tag_name=x&bogus=1", java.util.Map.of("Authorization", "Bearer x"), ""));
  }
}
