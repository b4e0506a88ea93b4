package io.potions.internal.ssh;

import io.potions.secret.Redactor;
import io.potions.ssh.OutputListener;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Turns a byte stream into lines, handing each (redacted) to a listener as soon as it is complete and
 * keeping the last {@value #KEPT_LINES} raw for the result (a long build log must not fill the heap).
 * The result stays raw because it is data the SDK reads (an env file, a JSON config); everything
 * that shows output to people (listeners, logs, exception messages) redacts it.
 */
final class LineSplitter extends OutputStream {
  static final int KEPT_LINES = 5_000;

  private final OutputListener.Stream stream;
  private final OutputListener listener;
  private final Redactor redactor;
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
  private final Deque<String> kept = new ArrayDeque<>();

  LineSplitter(OutputListener.Stream stream, OutputListener listener, Redactor redactor) {
    this.stream = stream;
    this.listener = listener;
    this.redactor = redactor;
  }

  @Override
  public synchronized void write(int b) {
    if (b == '\n') {
      emit();
    } else {
      pending.write(b);
    }
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) {
    for (int i = off; i < off + len; i++) {
      write(b[i]);
    }
  }

  @Override
  public synchronized void close() {
    if (pending.size() > 0) {
      emit();
    }
  }

  synchronized List<String> lines() {
    return new ArrayList<>(kept);
  }

  private void emit() {
    String line = pending.toString(StandardCharsets.UTF_8);
    pending.reset();
    if (line.endsWith("\r")) {
      line = line.substring(0, line.length() - 1);
    }
    if (kept.size() == KEPT_LINES) {
      kept.removeFirst();
    }
    kept.addLast(line);
    listener.onLine(stream, redactor.redact(line));
  }
}
