package io.potions.maven;

import io.potions.progress.ProgressEvent;
import io.potions.progress.ProgressListener;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.maven.plugin.logging.Log;

/**
 * Writes the SDK's progress to the Maven log: one line per finished step with its duration, each
 * step's output (the build log) when verbose, else at debug level ({@code mvn -X}).
 */
final class MavenProgress implements ProgressListener {
  private final Log log;
  private final boolean verbose;
  private final Map<String, String> titles = new HashMap<>();

  MavenProgress(Log log, boolean verbose) {
    this.log = log;
    this.verbose = verbose;
  }

  @Override
  public synchronized void onEvent(ProgressEvent event) {
    String key = event.server() + "\0" + event.step();
    if (event instanceof ProgressEvent.StepStarted s) {
      titles.put(key, s.title());
      if (verbose) {
        log.info(s.title() + " ...");
      }
    } else if (event instanceof ProgressEvent.StepOutput o) {
      if (verbose) {
        log.info("  | " + o.line());
      } else if (log.isDebugEnabled()) {
        log.debug("  | " + o.line());
      }
    } else if (event instanceof ProgressEvent.StepFinished f) {
      log.info(String.format(Locale.ROOT, "%-4s %s (%s)", f.changed() ? "ok" : "--",
          titles.getOrDefault(key, f.step()), seconds(f.duration())) + (f.changed() ? "" : " already in place"));
      titles.remove(key);
    } else if (event instanceof ProgressEvent.StepFailed f) {
      log.error("FAILED " + titles.getOrDefault(key, f.step()) + " (" + seconds(f.duration()) + "): " + f.message());
      titles.remove(key);
    } else if (event instanceof ProgressEvent.DeployQueued q) {
      log.info("waiting in the deploy queue of " + q.server() + ": " + q.position() + " ahead of " + q.app());
    }
  }

  static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }
}
