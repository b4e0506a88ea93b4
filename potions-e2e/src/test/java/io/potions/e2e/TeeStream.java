package io.potions.e2e;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;

/** Writes to the original stream and keeps a copy, to check what was logged. */
final class TeeStream extends OutputStream {
  private final PrintStream original;
  private final ByteArrayOutputStream copy;

  TeeStream(PrintStream original, ByteArrayOutputStream copy) {
    this.original = original;
    this.copy = copy;
  }

  @Override
  public synchronized void write(int b) {
    original.write(b);
    copy.write(b);
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) {
    original.write(b, off, len);
    copy.write(b, off, len);
  }
}
