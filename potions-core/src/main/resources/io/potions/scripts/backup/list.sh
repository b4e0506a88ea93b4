# Prints each backup's manifest on one line, then its verification record if any, then the
# recorded offsite copies (O lines) and, when the app has offsite settings, the copies in the
# offsite repository (an S line with restic's JSON, or S-FAILED when it cannot be read).
dir=@@DIR@@
[ -d "$dir" ] || exit 0
for d in "$dir"/[0-9]*/; do
  [ -f "$d/manifest.json" ] || continue
  printf 'M %s\n' "$(tr -d '\n' < "$d/manifest.json")"
  if [ -f "$d/verified.json" ]; then printf 'V %s\n' "$(tr -d '\n' < "$d/verified.json")"; fi
done
for f in "$dir"/offsite/[0-9]*.json; do
  [ -f "$f" ] || continue
  printf 'O %s\n' "$(tr -d '\n' < "$f")"
done
if ! offsite=$(@@OFFSITE_LIST@@ 2>&1); then
  printf 'S-FAILED %s\n' "$(printf '%s\n' "$offsite" | tail -n 2 | tr '\n' ' ')"
elif [ -n "$offsite" ]; then
  printf '%s\n' "$offsite" | grep '^S '
fi
