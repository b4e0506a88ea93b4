end=$((SECONDS + @@DEADLINE_SECONDS@@))
while :; do
  n=$(ss -Htn state established '( sport = :@@PORT@@ )' | wc -l)
  if [ "$n" -eq 0 ] || [ $SECONDS -ge $end ]; then echo "open=$n"; exit 0; fi
  sleep 0.2
done
