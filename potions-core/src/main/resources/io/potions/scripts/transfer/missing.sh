# Stores the release's manifest (gzip on standard input) in the app's content store and prints
# "missing KEY" for each file content the store lacks. Keys are sha256.mode: a hard link shares
# its content and its mode with the stored copy.
umask 022
cas=@@CAS@@
install -d -m 0755 "$cas" "$cas/objects" "$cas/manifests"
manifest="$cas/manifests/"@@RELEASE_ID@@
gunzip -c > "$manifest.tmp"
mv -f "$manifest.tmp" "$manifest"
awk -F'\t' '$1 == "f" { print $3 "." $2 }' "$manifest" | sort -u | while IFS= read -r key; do
  [ -f "$cas/objects/$key" ] || echo "missing $key"
done
