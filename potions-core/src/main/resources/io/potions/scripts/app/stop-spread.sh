# Stops the old slot with SIGTERM and follows its shutdown: the app drains its own long-lived
# connections (a Phoenix socket drainer closes WebSockets in batches) for up to its shutdown
# timeout. Whatever is still open then is closed in batches spread over the reconnect window
# (by the root helper, in one command paced by its own clock), so clients reconnect spread out
# instead of all in the same second when the VM exits.
unit=@@UNIT@@
running() {
  case "$(systemctl is-active "$unit" 2>/dev/null)" in
    active|activating|deactivating|reloading) return 0 ;;
    *) return 1 ;;
  esac
}
open_count() { ss -Htn state established '( sport = :@@PORT@@ )' | wc -l; }
# Milliseconds: $SECONDS counts whole seconds, which would cut the app's shutdown timeout by up to
# one second and close sockets the app was still draining itself.
now_ms() { date +%s%3N; }
# An older root helper without the asynchronous stop: stop and wait, as before.
@@STOP_ASYNC@@ || @@STOP@@
started=$SECONDS
end=$(($(now_ms) + @@SHUTDOWN_SECONDS@@ * 1000))
while running && [ "$(now_ms)" -lt $end ]; do sleep 0.2; done
left=0
closed=0
if running; then
  left=$(open_count)
  if [ "$left" -gt 0 ]; then
    out=$(@@SPREAD@@ 2>/dev/null) || out=
    n=${out#closed=}
    [[ "$n" =~ ^[0-9]+$ ]] && closed=$n
  fi
fi
# systemd's own stop timeout (shutdown + window + margin) ends it if it still does not exit.
end=$((SECONDS + @@WINDOW_SECONDS@@ + 60))
while running && [ $SECONDS -lt $end ]; do sleep 0.2; done
echo "open_at_deadline=$left"
echo "closed_by_potions=$closed"
echo "stop_seconds=$((SECONDS - started))"
if running; then echo "stopped=no"; else echo "stopped=yes"; fi
