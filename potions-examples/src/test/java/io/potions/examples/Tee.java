package io.potions.examples;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** A PrintStream that shows what an example prints (in the test log) and keeps it for assertions. */
final class Tee {
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  final PrintStream out;

  Tee() {
    OutputStream both = new OutputStream() {
      @Override
      public synchronized void write(int b) {
        captured.write(b);
        System.out.write(b);
      }

      @Override
      public synchronized void write(byte[] b, int off, int len) {
        captured.write(b, off, len);
        System.out.write(b, off, len);
      }

      @Override
      public void flush() {
        System.out.flush();
      }
    };
    out = new PrintStream(both, true, StandardCharsets.UTF_8);
  }

  synchronized String text() {
    return captured.toString(StandardCharsets.UTF_8);
  }
}
