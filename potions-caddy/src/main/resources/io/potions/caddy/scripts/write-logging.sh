out=$(mktemp)
code=$(curl -sS --max-time 30 -o "$out" -w '%{http_code}' -X POST -H 'Content-Type: application/json' --data-binary @- @@URL@@)
cat "$out"; rm -f "$out"; echo; echo "HTTP $code"
