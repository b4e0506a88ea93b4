package io.potions.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.InvalidInputException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MaintenanceTest {
  @Test
  void theMessageIsEscapedSoAVisitorNeverRunsMarkupFromIt() {
    var page = Maintenance.page("shop", "Back at 14:00 <script>alert('x')</script> & \"soon\"\nThanks", 300);
    assertThat(page.html()).contains("Back at 14:00 &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;soon&quot;<br>\nThanks")
        .doesNotContain("<script>");
    assertThat(page.retryAfterSeconds()).isEqualTo(300);
  }

  @Test
  void badMessagesAndRetryAfterValuesAreRefusedWithTheRule() {
    assertThatThrownBy(() -> Maintenance.checkMessage(" ")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> Maintenance.checkMessage("x".repeat(2001))).hasMessageContaining("limit is 2000");
    assertThatThrownBy(() -> Maintenance.checkMessage("a\u0000b")).hasMessageContaining("control characters");
    assertThat(Maintenance.checkMessage("  Back soon\n  ")).isEqualTo("Back soon");
    assertThatThrownBy(() -> Maintenance.checkRetryAfter(Duration.ZERO)).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> Maintenance.checkRetryAfter(Duration.ofDays(2))).isInstanceOf(InvalidInputException.class);
    assertThat(Maintenance.checkRetryAfter(Duration.ofMinutes(2))).isEqualTo(120);
  }
}
