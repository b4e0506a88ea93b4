package io.potions.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The chart renderer on made-up runs: buckets, failure bars, switch marks, a document that parses. */
class LatencyChartTest {

  /** 10 s of requests every 10 ms at 2 ms; in {@code failedFrom..failedTo} they fail. */
  private static List<long[]> run(long failedFrom, long failedTo) {
    List<long[]> samples = new ArrayList<>();
    for (long t = 0; t < 10_000; t += 10) {
      boolean failed = t >= failedFrom && t < failedTo;
      samples.add(new long[] {t, failed ? 50_000 : 2_000, failed ? 1 : 0});
    }
    return samples;
  }

  @Test
  void bucketsCountRequestsFailuresAndTheMedian() {
    List<LatencyChart.Bucket> buckets = LatencyChart.buckets(run(1_000, 1_500), 9_990);
    assertThat(buckets).hasSize(40);
    assertThat(buckets.get(0).requests()).isEqualTo(25);
    assertThat(buckets.get(0).p50Ms()).isEqualTo(2.0);
    assertThat(buckets.get(4).failed()).isEqualTo(25);
    assertThat(buckets.get(4).p50Ms()).as("only failures in it: no latency drawn").isNaN();
    assertThat(buckets.stream().mapToInt(LatencyChart.Bucket::failed).sum()).isEqualTo(50);
  }

  @Test
  void theSvgShowsBothRunsTheirFailuresAndTheSwitches() throws Exception {
    String svg = LatencyChart.render("Requests through Caddy during 2 switches", List.of(
        new LatencyChart.Series("Potions", run(0, 0), List.of(2_000L, 6_000L)),
        new LatencyChart.Series("stop/start", run(2_000, 2_750), List.of(2_000L, 6_000L))));

    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
    assertThat(svg).contains("Potions: 1000 requests, 0 failed").contains("stop/start: 1000 requests, 75 failed");
    NodeList panels = doc.getElementsByTagName("g");
    List<Element> failedBars = byClass(doc, "rect", "failed");
    assertThat(failedBars).as("750 ms of failures: 3 buckets, all in the baseline").hasSize(3);
    assertThat(byClass(doc, "line", "switch")).hasSize(4);
    assertThat(byClass(doc, "polyline", "median")).hasSize(2)
        .allSatisfy(p -> assertThat(p.getAttribute("points").split(" ").length).isGreaterThan(30));
    assertThat(panels.getLength()).isGreaterThanOrEqualTo(2);
    // The baseline's failure bars sit in its own (right-hand) panel.
    double firstPanelRight = 56 + 520;
    assertThat(failedBars).allSatisfy(r -> assertThat(Double.parseDouble(r.getAttribute("x"))).isGreaterThan(firstPanelRight));
  }

  private static List<Element> byClass(Document doc, String tag, String cls) {
    List<Element> out = new ArrayList<>();
    NodeList nodes = doc.getElementsByTagName(tag);
    for (int i = 0; i < nodes.getLength(); i++) {
      Element e = (Element) nodes.item(i);
      if (cls.equals(e.getAttribute("class"))) {
        out.add(e);
      }
    }
    return out;
  }
}
