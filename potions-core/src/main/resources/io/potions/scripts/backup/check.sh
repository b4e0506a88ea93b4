# Checks a backup's parts against the checksums in its manifest before anything uses them.
d=@@DIR@@
[ -f "$d/manifest.json" ] || { echo "backup @@ID@@ does not exist" >&2; exit 3; }
for part in database storage; do
  # An imported dump has no storage part.
  if grep -qF "\"$part\":null" "$d/manifest.json"; then continue; fi
  file=$(sed -n "s/.*\"$part\":{\"file\":\"\([a-z.]*\)\",\"bytes\":\([0-9]*\),\"sha256\":\"\([0-9a-f]*\)\".*/\1/p" "$d/manifest.json")
  want=$(sed -n "s/.*\"$part\":{\"file\":\"[a-z.]*\",\"bytes\":[0-9]*,\"sha256\":\"\([0-9a-f]*\)\".*/\1/p" "$d/manifest.json")
  [ -n "$file" ] && [ -n "$want" ] || { echo "backup @@ID@@: manifest has no $part part" >&2; exit 4; }
  [ -f "$d/$file" ] || { echo "backup @@ID@@: $file is missing" >&2; exit 4; }
  got=$(sha256sum "$d/$file" | cut -d' ' -f1)
  if [ "$got" != "$want" ]; then
    echo "backup @@ID@@: $file does not match its checksum (truncated or altered): expected $want, found $got" >&2
    exit 4
  fi
  echo "==> $file: checksum ok"
done
