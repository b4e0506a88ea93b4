package io.potions.portal;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.potions.event.PotionsEvent;
import io.potions.progress.ProgressEvent;
import java.util.LinkedHashMap;
import java.util.Map;

/** An event as the page reads it: flat JSON with a {@code type}. */
final class EventJson {
  private EventJson() {}

  static String of(PotionsEvent e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", e.id());
    m.put("at", e.at().toString());
    m.put("server", e.server());
    m.put("app", e.app());
    m.put("operation", e.operation());
    m.put("step", e.event().step());
    ProgressEvent event = e.event();
    if (event instanceof ProgressEvent.StepStarted s) {
      m.put("type", "started");
      m.put("title", s.title());
    } else if (event instanceof ProgressEvent.StepOutput o) {
      m.put("type", "line");
      m.put("line", o.line());
    } else if (event instanceof ProgressEvent.StepFinished f) {
      m.put("type", "finished");
      m.put("millis", f.duration().toMillis());
    } else if (event instanceof ProgressEvent.StepFailed f) {
      m.put("type", "failed");
      m.put("message", f.message());
    } else if (event instanceof ProgressEvent.DeployQueued q) {
      m.put("type", "queued");
      m.put("position", q.position());
    } else if (event instanceof ProgressEvent.StageChanged s) {
      m.put("type", "stage");
      m.put("stage", s.stage().id());
      m.put("position", s.queuePosition());
      m.put("deployment", s.deployment());
    }
    try {
      return Portal.JSON.writeValueAsString(m);
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException(ex);
    }
  }
}
