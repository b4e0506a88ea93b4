# Prints each backup's manifest on one line, then its verification record if any.
dir=@@DIR@@
[ -d "$dir" ] || exit 0
for d in "$dir"/[0-9]*/; do
  [ -f "$d/manifest.json" ] || continue
  printf 'M %s\n' "$(tr -d '\n' < "$d/manifest.json")"
  if [ -f "$d/verified.json" ]; then printf 'V %s\n' "$(tr -d '\n' < "$d/verified.json")"; fi
done
