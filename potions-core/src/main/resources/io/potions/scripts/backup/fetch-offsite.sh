# Brings a backup back from its offsite copy: the root helper streams restic's tar, this shell (the
# deploy user's) extracts it into a partial directory and moves it in whole; a failed fetch leaves
# nothing behind. The caller then checks it against its manifest's checksums.
dir=@@DIR@@
id=@@ID@@
install -d -m 0700 "$dir"
[ ! -e "$dir/$id" ] || { echo "backup $id is already on the server" >&2; exit 0; }
part="$dir/.partial-fetch-$id"
rm -rf -- "$part"
mkdir -m 0700 -- "$part"
trap 'rm -rf -- "$part"' EXIT
echo "==> fetching backup $id from its offsite copy"
@@OFFSITE_DUMP@@ | tar -x --no-same-owner --strip-components=@@STRIP@@ -C "$part" -f -
[ -f "$part/$id/manifest.json" ] || { echo "the offsite copy of backup $id has no manifest" >&2; exit 4; }
mv -- "$part/$id" "$dir/$id"
echo "==> fetched backup $id ($(du -sb "$dir/$id" | cut -f1) bytes)"
