package io.potions.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The server's env helper refuses files over its limit; the SDK refuses first, saying the size. */
class EnvFileLimitTest {
  private static Map<String, String> vars(int count, int valueLength) {
    Map<String, String> vars = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      vars.put("KEY_" + i, "v".repeat(valueLength));
    }
    return vars;
  }

  @Test
  void aFileOverTheLimitIsRefusedWithItsSizeAndTheLimit() {
    Map<String, String> big = vars(40, 30_000);
    int size = 40 * ("KEY_xx=\"\"\n".length() + 30_000) - 10; // keys KEY_0..KEY_9 are one digit shorter
    assertThatThrownBy(() -> EnvFile.render(big))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("would be " + size + " bytes")
        .hasMessageContaining("the limit is " + EnvFile.MAX_BYTES + " bytes");
  }

  @Test
  void aFileAtTheLimitIsRendered() {
    Map<String, String> vars = vars(34, 30_000);
    int size = EnvFile.render(vars).getBytes(StandardCharsets.UTF_8).length;
    assertThat(size).isLessThanOrEqualTo(EnvFile.MAX_BYTES);
    String rest = "w".repeat(EnvFile.MAX_BYTES - size - "LAST=\"\"\n".length());
    vars.put("LAST", rest);
    assertThat(EnvFile.render(vars).getBytes(StandardCharsets.UTF_8)).hasSize(EnvFile.MAX_BYTES);
    vars.put("LAST", rest + "w");
    assertThatThrownBy(() -> EnvFile.render(vars)).isInstanceOf(InvalidInputException.class);
  }

  @Test
  void userVariablesMustLeaveRoomForTheGeneratedOnes() {
    int limit = EnvFile.MAX_BYTES - EnvFile.GENERATED_ALLOWANCE_BYTES;
    Map<String, String> vars = vars(34, 30_000);
    vars.put("PAD", "p".repeat(20_000));
    EnvFile.requireUserVariablesFit(vars(30, 30_000));
    assertThat(EnvFile.render(vars).length()).isGreaterThan(limit).isLessThan(EnvFile.MAX_BYTES);
    assertThatThrownBy(() -> EnvFile.requireUserVariablesFit(vars))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("would take " + EnvFile.render(vars).length() + " bytes")
        .hasMessageContaining("the limit is " + limit + " bytes")
        .hasMessageContaining("Nothing was changed");
  }
}
