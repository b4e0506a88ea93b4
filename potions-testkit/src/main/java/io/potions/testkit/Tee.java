package io.potions.testkit;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * A print stream that writes through to another one (so a test's log still shows the output) and
 * keeps a copy, for checking what a program printed or logged.
 */
public final class Tee {
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private final PrintStream out;

  private Tee(PrintStream original) {
    OutputStream both = new OutputStream() {
      @Override
      public void write(int b) {
        synchronized (captured) {
          captured.write(b);
        }
        original.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        synchronized (captured) {
          captured.write(b, off, len);
        }
        original.write(b, off, len);
      }

      @Override
      public void flush() {
        original.flush();
      }
    };
    out = new PrintStream(both, true, StandardCharsets.UTF_8);
  }

  /**
   * @param original where the output goes on to, such as {@code System.out} or {@code System.err}
   * @return a tee writing to it
   */
  public static Tee to(PrintStream original) {
    return new Tee(original);
  }

  /** @return the stream to print to */
  public PrintStream out() {
    return out;
  }

  /** @return everything printed so far */
  public String text() {
    synchronized (captured) {
      return captured.toString(StandardCharsets.UTF_8);
    }
  }
}
