# Prints "<bytes available> <mount point>" for each path's file system, one line per path, in the
# order given; a path not created yet is measured at its nearest existing parent.
set -- @@PATHS@@
for p in "$@"; do
  while [ ! -e "$p" ] && [ "$p" != / ]; do p=$(dirname -- "$p"); done
  df -P -B1 -- "$p" | awk 'NR==2 {print $4, $6}'
done
