package io.potions.examples;

import io.potions.progress.ProgressEvent;
import io.potions.progress.ProgressListener;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Prints the SDK's progress the way a command-line tool does: one line per step, with its outcome
 * and duration; with {@code verbose}, also every line the step printed (the build log, apt's
 * output). Safe to share between threads.
 *
 * <pre>{@code
 * Potions potions = Potions.builder().progress(new ConsoleProgress(System.out, false)).build();
 * }</pre>
 */
public final class ConsoleProgress implements ProgressListener {
  /** Indentation of step lines under a heading. */
  public static final String INDENT = "      ";

  private final PrintStream out;
  private final boolean verbose;
  private final Map<String, String> titles = new HashMap<>();
  private String openStep;
  private int changed;
  private int unchanged;

  /**
   * @param out where to print
   * @param verbose whether to print each step's output lines too
   */
  public ConsoleProgress(PrintStream out, boolean verbose) {
    this.out = Objects.requireNonNull(out, "out");
    this.verbose = verbose;
  }

  @Override
  public synchronized void onEvent(ProgressEvent event) {
    if (event instanceof ProgressEvent.StepStarted s) {
      endOpenLine();
      out.print(INDENT + s.title() + " ... ");
      out.flush();
      openStep = key(s);
      titles.put(openStep, s.title());
    } else if (event instanceof ProgressEvent.StepOutput o) {
      if (verbose) {
        endOpenLine();
        out.println(INDENT + "  | " + o.line());
      }
    } else if (event instanceof ProgressEvent.StepFinished f) {
      if (f.changed()) {
        changed++;
      } else {
        unchanged++;
      }
      finish(f, "ok " + duration(f.duration()) + (f.changed() ? "" : " (already in place)"));
    } else if (event instanceof ProgressEvent.StepFailed f) {
      finish(f, "FAILED after " + duration(f.duration()));
      for (String line : f.message().split("\n")) {
        out.println(INDENT + "  ! " + line);
      }
    } else if (event instanceof ProgressEvent.DeployQueued q) {
      endOpenLine();
      out.println(INDENT + "waiting in the deploy queue of " + q.server() + ": " + q.position()
          + " deploy(s) ahead of " + q.app());
    }
    out.flush();
  }

  /**
   * Prints a line of the caller's own, at step indentation, ending any open step line first.
   *
   * @param line the text
   */
  public synchronized void note(String line) {
    endOpenLine();
    out.println(INDENT + line);
    out.flush();
  }

  /** @return how many steps finished having changed something, since the last {@link #resetCounts()} */
  public synchronized int changedSteps() {
    return changed;
  }

  /** @return how many steps found nothing to do, since the last {@link #resetCounts()} */
  public synchronized int unchangedSteps() {
    return unchanged;
  }

  /** Starts counting steps anew. */
  public synchronized void resetCounts() {
    changed = 0;
    unchanged = 0;
  }

  private void finish(ProgressEvent event, String outcome) {
    String title = titles.remove(key(event));
    if (key(event).equals(openStep)) {
      out.println(outcome);
    } else {
      endOpenLine();
      out.println(INDENT + (title == null ? event.step() : title) + " ... " + outcome);
    }
    openStep = null;
  }

  private void endOpenLine() {
    if (openStep != null) {
      out.println();
      openStep = null;
    }
  }

  private static String key(ProgressEvent event) {
    return event.server() + "\0" + event.step();
  }

  /**
   * @param d a duration
   * @return it for people: {@code 0.4 s}, {@code 12 s}, {@code 2 min 5 s}
   */
  public static String duration(Duration d) {
    long ms = d.toMillis();
    if (ms < 10_000) {
      return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }
    long s = Math.round(ms / 1000.0);
    return s < 60 ? s + " s" : (s / 60) + " min " + (s % 60) + " s";
  }

  /**
   * @param bytes a size
   * @return it for people: {@code 812 B}, {@code 4.1 KB}, {@code 12.3 MB}
   */
  public static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    if (bytes < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KB", bytes / 1024.0);
    }
    return String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024.0));
  }
}
