deadline=$((SECONDS + @@DEADLINE_SECONDS@@))
code=none
while :; do
  if ! @@IS_ACTIVE@@ >/dev/null 2>&1; then
    echo '@@MARKER@@crashed'; exit 2
  fi
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H @@HOST_HEADER@@ @@URL@@ || true)
  if [ "$code" = @@EXPECTED_STATUS@@ ]; then break; fi
  if [ $SECONDS -ge $deadline ]; then echo "@@MARKER@@timeout last=$code"; exit 3; fi
  sleep @@INTERVAL@@
done
# Healthy once; now it must stay up and healthy for the settle time before traffic moves.
settled=$((SECONDS + @@SETTLE_SECONDS@@))
while [ $SECONDS -lt $settled ]; do
  sleep @@SETTLE_INTERVAL@@
  if ! @@IS_ACTIVE@@ >/dev/null 2>&1; then
    echo '@@MARKER@@crashed-after-healthy'; exit 2
  fi
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H @@HOST_HEADER@@ @@URL@@ || true)
  if [ "$code" != @@EXPECTED_STATUS@@ ]; then echo "@@MARKER@@unstable last=$code"; exit 3; fi
done
echo '@@MARKER@@ok'
