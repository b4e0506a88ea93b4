out=$(mktemp)
code=$(curl -sS --max-time 30 -o "$out" -w '%{http_code}' -X PATCH -H 'Content-Type: application/json'@@IF_MATCH@@ --data-binary @- @@SERVER_URL@@)
cat "$out"; rm -f "$out"; echo; echo "HTTP $code"
