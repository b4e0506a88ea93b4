# Takes the files the content store lacked (a gzip-compressed tar on standard input), checks each
# against its hash before it enters the store, then assembles the release from its manifest: hard
# links to the stored files, directories and symlinks as listed. The release appears under its
# final name only when complete; a failure leaves nothing behind but the store.
umask 022
cas=@@CAS@@
release=@@RELEASE@@
manifest="$cas/manifests/"@@RELEASE_ID@@
[ -f "$manifest" ] || { echo "no manifest for this release: list it first" >&2; exit 3; }
[ ! -e "$release" ] || { echo "release $release already exists" >&2; exit 3; }
incoming=$(mktemp -d "$cas/incoming.XXXXXX")
list="$incoming.list"
building="$release.partial"
trap 'rm -rf -- "$incoming" "$list" "$building"' EXIT
tar --extract --gzip --file=- --directory="$incoming" --no-same-owner --no-same-permissions
# Received files whose key the store lacks: checked, then stored under their key, read-only.
awk -F'\t' '$1 == "f" { print $3 "." $2 "\t" $5 }' "$manifest" | while IFS=$'\t' read -r key path; do
  if [ ! -f "$cas/objects/$key" ] && [ -f "$incoming/$path" ] && [ ! -L "$incoming/$path" ]; then
    printf '%s  %s\t%s\n' "${key%.*}" "$incoming/$path" "$key"
  fi
done > "$list"
if [ -s "$list" ]; then cut -f1 "$list" | sha256sum --check --quiet --strict -; fi
# One perl process stores the checked files and links the release together: a fork per file
# (ln, chmod, mv) costs minutes on a busy server with thousands of files. perl-base is part of
# every Debian and Ubuntu system.
perl - "$cas" "$building" "$list" "$manifest" <<'PERL'
use strict;
use warnings;
my ($cas, $building, $list, $manifest) = @ARGV;
open(my $received, '<', $list) or die "$list: $!\n";
while (my $line = <$received>) {
  chomp $line;
  my ($check, $key) = split /\t/, $line;
  my $file = substr($check, index($check, '  ') + 2);
  next if -f "$cas/objects/$key";
  my ($mode) = $key =~ /\.([0-7]+)$/ or die "bad key $key\n";
  chmod(oct($mode), $file) or die "chmod $file: $!\n";
  rename($file, "$cas/objects/$key") or die "storing $key: $!\n";
}
open(my $entries, '<', $manifest) or die "$manifest: $!\n";
mkdir($building, 0755) or die "$building: $!\n";
my @modes;
my $missing = 0;
while (my $line = <$entries>) {
  chomp $line;
  my ($type, $mode, $ref, undef, $path) = split /\t/, $line, 5;
  my $to = "$building/$path";
  if ($type eq 'd') {
    mkdir($to, 0755) or die "mkdir $path: $!\n";
    push @modes, [oct($mode), $to] if $mode ne '755';
  } elsif ($type eq 'f') {
    my $object = "$cas/objects/$ref.$mode";
    if (! -f $object) { $missing++; next; }
    link($object, $to) or die "link $path: $!\n";
  } elsif ($type eq 'l') {
    symlink($ref, $to) or die "symlink $path: $!\n";
  } else {
    die "unknown entry type '$type' in the manifest\n";
  }
}
die "$missing file(s) of the release did not arrive\n" if $missing;
# Directory modes last, deepest first, so a read-only directory is filled before it closes.
for my $d (reverse @modes) { chmod($d->[0], $d->[1]) or die "chmod $d->[1]: $!\n"; }
PERL
ln -sfn @@STORAGE@@ "$building/storage"
mv -T -- "$building" "$release"
# Contents no release links any more (pruned releases) leave the store; so do their manifests.
find "$cas/objects" -type f -links 1 -delete
for m in "$cas/manifests"/*; do
  [ -e "${release%/*}/${m##*/}" ] || rm -f -- "$m"
done
name=$(find "$release/bin" -maxdepth 1 -type f -perm -u+x ! -name '*.bat' -printf '%f\n' 2>/dev/null | head -1)
echo "POTIONS_RELEASE_NAME=$name"
echo "POTIONS_RELEASE_BYTES=$(du -sb "$release" | cut -f1)"
