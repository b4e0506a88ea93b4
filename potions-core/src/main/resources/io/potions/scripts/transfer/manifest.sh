# Prints the manifest of the release in @@DIR@@, one entry per line, tab-separated:
# type mode sha256|target size path (see ReleaseManifest). Left out: the release's storage link
# (the receiving server points it at its own storage) and a tarball of the release at its top
# (mix release's :tar step, NAME-VSN.tar.gz): it is never run, and differs on every build.
cd @@DIR@@
meta=$(mktemp)
trap 'rm -f "$meta"' EXIT
# Directories, symlinks, and anything else (which the SDK refuses, naming it).
find . -mindepth 1 ! -path ./storage ! -type f -printf '%y\t%m\t%l\t0\t%P\n'
find . -type f ! \( -path './*.tar.gz' ! -path './*/*' \) -printf '%m\t%s\t%P\n' > "$meta"
# sha256sum marks a name it had to escape (backslash, newline) with a leading backslash: such a
# name is reported as type x, and refused.
find . -type f ! \( -path './*.tar.gz' ! -path './*/*' \) -printf '%P\0' | xargs -0r sha256sum -- | awk -v meta="$meta" '
  BEGIN {
    while ((getline line < meta) > 0) {
      split(line, m, "\t"); p = substr(line, length(m[1]) + length(m[2]) + 3)
      mode[p] = m[1]; size[p] = m[2]
    }
  }
  substr($0, 1, 1) == "\\" { print "x\t-\t-\t0\t" substr($0, 2); next }
  { h = substr($0, 1, 64); p = substr($0, 67); print "f\t" mode[p] "\t" h "\t" size[p] "\t" p }'
