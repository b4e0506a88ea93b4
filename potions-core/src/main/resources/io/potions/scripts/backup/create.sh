# Makes one backup as the deploy user: the database dump and the storage tar come from the root
# helper on stdout; this shell writes them under the app's 0700 backup directory, so root never
# writes a path the deploy user controls. A failed or interrupted run removes its partial directory.
dir=@@DIR@@
id=@@ID@@
install -d -m 0700 "$dir"
# One backup of an app at a time (the timer's, an on-demand one, a deploy's): together they would
# race on restic's repository lock (its prune is exclusive) and on retention. The lock is released
# when this shell and its children exit, however they exit.
exec 9>>"$dir/.lock"
if ! flock -n 9; then
  echo "==> waiting for another backup of this app to finish"
  flock -w 21600 9 || { echo "gave up waiting for another backup of this app (6 h); nothing was changed" >&2; exit 1; }
fi
if [ -e "$dir/$id" ]; then
  echo "backup $id exists already (two backups in the same second); nothing was changed, try again" >&2
  exit 1
fi
part="$dir/.partial-$id"
rm -rf -- "$part"
mkdir -m 0700 -- "$part"
trap 'rm -rf -- "$part"' EXIT
# The files are the deploy user's: root only produces the streams. Each checksum is taken while the
# stream is written (on another core), not by reading a 1 GB file a second time.
echo "==> dumping the database"
@@DB_DUMP@@ | tee "$part/db.dump" | sha256sum > "$part/.db.sha256"
echo "==> archiving the storage"
@@STORAGE_TAR@@ | tee "$part/storage.tar" | sha256sum > "$part/.storage.sha256"
db_sha=$(cut -d' ' -f1 < "$part/.db.sha256")
st_sha=$(cut -d' ' -f1 < "$part/.storage.sha256")
rm -f -- "$part/.db.sha256" "$part/.storage.sha256"
db_size=$(stat -c %s "$part/db.dump")
st_size=$(stat -c %s "$part/storage.tar")
printf '{"id":"%s","app":%s,"createdAt":"%s","kind":%s,"release":%s,"database":{"file":"db.dump","bytes":%s,"sha256":"%s"},"storage":{"file":"storage.tar","bytes":%s,"sha256":"%s"}}\n' \
  "$id" @@APP_JSON@@ "$(date -u +%Y-%m-%dT%H:%M:%SZ)" @@KIND_JSON@@ @@RELEASE_JSON@@ \
  "$db_size" "$db_sha" "$st_size" "$st_sha" > "$part/manifest.json"
# On disk before it is renamed into place (these files only, not the whole filesystem).
sync -- "$part/db.dump" "$part/storage.tar" "$part/manifest.json" 2>/dev/null || true
mv -- "$part" "$dir/$id"
trap - EXIT
echo "POTIONS_BACKUP=$id"
# Retention: keep the newest ones (ids start with a UTC timestamp, so they sort by age).
find "$dir" -mindepth 1 -maxdepth 1 -type d -name '[0-9]*' -printf '%f\n' | sort | head -n -@@KEEP@@ \
  | while IFS= read -r old; do rm -rf -- "${dir:?}/$old"; echo "==> removed backup $old (retention @@KEEP@@)"; done
# The offsite copy (when the app has offsite settings): its result is recorded beside the
# backups, where health() and list() read it; a failed copy fails the run (exit 5) loudly, and the
# local backup stays.
offsite_status=0
offsite_out=$(@@OFFSITE_BACKUP@@ 2>&1) || offsite_status=$?
printf '%s\n' "$offsite_out"
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
if [ "$offsite_status" -ne 0 ]; then
  install -d -m 0700 "$dir/offsite"
  # restic's own error ("Fatal: ...") and the helper's verdict say why; other lines are noise here.
  reason=$(printf '%s\n' "$offsite_out" | grep -E '^(Fatal|potions-admin):' | tail -n 3 | tr -d '"\\' | tr '\n\t' '  ' \
    | cut -c1-400 || true)
  [ -n "$reason" ] || reason=$(printf '%s\n' "$offsite_out" | tail -n 3 | tr -d '"\\' | tr '\n\t' '  ' | cut -c1-400)
  # A bucket that is gone is the most common cause that restic words least plainly: name it. Some
  # stores answer NoSuchBucket, others (S3Proxy) NoSuchKey, which restic reports as a missing repository.
  # restic adds that hint to any failure to read the config, a refused key included: not those.
  if grep -qiE 'NoSuchBucket|bucket does not exist|Is there a repository at the following location' <<<"$offsite_out" \
    && ! grep -qE 'Access Denied|AccessDenied|SignatureDoesNotMatch|InvalidAccessKeyId|Forbidden' <<<"$offsite_out"; then
    repo=$(grep -oE 's3:https?://[^ ]+' <<<"$offsite_out" | head -n 1 || true)
    bucket=${repo#s3:*://*/}
    bucket=${bucket%%/*}
    endpoint=${repo#s3:}
    endpoint=${endpoint%%/"$bucket"*}
    reason="the bucket '$bucket' or the restic repository in it is missing at $endpoint (deleted, renamed or emptied?): create the bucket again and call app.backups().offsite(...) again (it creates a new repository), or point it at an existing bucket. $reason"
    reason=$(printf '%s' "$reason" | tr -d '"\\' | cut -c1-600)
  fi
  printf '{"id":"%s","ok":false,"at":"%s","error":"%s"}\n' "$id" "$now" "$reason" > "$dir/offsite/$id.json"
  echo "POTIONS_OFFSITE_ERROR=$reason"
  echo "POTIONS_OFFSITE=failed"
  exit 5
fi
if grep -q '^POTIONS_OFFSITE=ok$' <<<"$offsite_out"; then
  install -d -m 0700 "$dir/offsite"
  added=$(sed -n 's/^POTIONS_OFFSITE_ADDED=\([0-9]*\)$/\1/p' <<<"$offsite_out")
  snapshot=$(sed -n 's/^POTIONS_OFFSITE_SNAPSHOT=\([0-9a-f]*\)$/\1/p' <<<"$offsite_out")
  printf '{"id":"%s","ok":true,"at":"%s","addedBytes":%s,"snapshot":"%s"}\n' "$id" "$now" "${added:-0}" "$snapshot" \
    > "$dir/offsite/$id.json"
fi
# Keep the last 100 offsite records.
[ ! -d "$dir/offsite" ] || find "$dir/offsite" -maxdepth 1 -type f -name '[0-9]*.json' -printf '%f\n' | sort | head -n -100 \
  | while IFS= read -r old; do rm -f -- "$dir/offsite/$old"; done
