# Makes one backup as the deploy user: the database dump and the storage tar come from the root
# helper on stdout; this shell writes them under the app's 0700 backup directory, so root never
# writes a path the deploy user controls. A failed or interrupted run removes its partial directory.
dir=@@DIR@@
id=@@ID@@
install -d -m 0700 "$dir"
part="$dir/.partial-$id"
rm -rf -- "$part"
mkdir -m 0700 -- "$part"
trap 'rm -rf -- "$part"' EXIT
echo "==> dumping the database"
# The redirect is meant to be the deploy user's: root only produces the stream.
# shellcheck disable=SC2024
@@DB_DUMP@@ > "$part/db.dump"
echo "==> archiving the storage"
# shellcheck disable=SC2024
@@STORAGE_TAR@@ > "$part/storage.tar"
db_sha=$(sha256sum "$part/db.dump" | cut -d' ' -f1)
st_sha=$(sha256sum "$part/storage.tar" | cut -d' ' -f1)
db_size=$(stat -c %s "$part/db.dump")
st_size=$(stat -c %s "$part/storage.tar")
printf '{"id":"%s","app":%s,"createdAt":"%s","kind":%s,"release":%s,"database":{"file":"db.dump","bytes":%s,"sha256":"%s"},"storage":{"file":"storage.tar","bytes":%s,"sha256":"%s"}}\n' \
  "$id" @@APP_JSON@@ "$(date -u +%Y-%m-%dT%H:%M:%SZ)" @@KIND_JSON@@ @@RELEASE_JSON@@ \
  "$db_size" "$db_sha" "$st_size" "$st_sha" > "$part/manifest.json"
sync -f "$part/db.dump" 2>/dev/null || true
mv -- "$part" "$dir/$id"
trap - EXIT
echo "POTIONS_BACKUP=$id"
# Retention: keep the newest ones (ids start with a UTC timestamp, so they sort by age).
find "$dir" -mindepth 1 -maxdepth 1 -type d -name '[0-9]*' -printf '%f\n' | sort | head -n -@@KEEP@@ \
  | while IFS= read -r old; do rm -rf -- "${dir:?}/$old"; echo "==> removed backup $old (retention @@KEEP@@)"; done
