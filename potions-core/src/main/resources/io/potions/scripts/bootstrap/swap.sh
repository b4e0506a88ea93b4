# A swap file sized for the server's memory, so a small server survives a build's or a migration's
# memory peak instead of the kernel killing PostgreSQL or the app. Idempotent; skipped when swap
# exists, when the owner opted out (the marker file), or where swapon is not permitted (containers).
swapfile=@@SWAPFILE@@
# The outcome is recorded: a skip is a decision, and the step's check accepts it (delete the record
# to decide again).
skip() { echo "swap: skipped ($1)"; mkdir -p "$(dirname -- @@RECORD@@)"; echo "skipped ($1)" > @@RECORD@@; exit 0; }
if [ -e @@OPT_OUT@@ ]; then skip "opted out: @@OPT_OUT@@ exists"; fi
if [ "$(awk 'NR > 1' @@PROC_SWAPS@@ | wc -l)" -gt 0 ]; then skip "swap exists"; fi
mem_mib=$(awk '/^MemTotal:/ {print int($2 / 1024)}' @@MEMINFO@@)
# As much as memory, at least 1 GiB and at most 4 GiB.
size_mib=$mem_mib
[ "$size_mib" -ge 1024 ] || size_mib=1024
[ "$size_mib" -le 4096 ] || size_mib=4096
free_mib=$(df -P -BM -- "$(dirname -- "$swapfile")" | awk 'NR == 2 {sub(/M$/, "", $4); print $4}')
if [ "$free_mib" -lt $((size_mib + @@KEEP_FREE_MIB@@)) ]; then
  skip "not enough disk: ${free_mib} MiB free, a ${size_mib} MiB swap file must leave @@KEEP_FREE_MIB@@ MiB"
fi
# Try a tiny swap file first: where swapon is refused, nothing big is written to the disk.
probe="$swapfile.probe"
rm -f -- "$probe"
dd if=/dev/zero of="$probe" bs=1024 count=64 status=none
chmod 0600 "$probe"
mkswap "$probe" >/dev/null
if ! swapon "$probe" 2>/dev/null; then
  rm -f -- "$probe"
  skip "not permitted: swapon is refused here, as in a container"
fi
swapoff "$probe"
rm -f -- "$probe"
rm -f -- "$swapfile"
fallocate -l "${size_mib}M" "$swapfile" 2>/dev/null || dd if=/dev/zero of="$swapfile" bs=1M count="$size_mib" status=none
chmod 0600 "$swapfile"
mkswap "$swapfile" >/dev/null
swapon "$swapfile"
grep -qF "$swapfile none swap" @@FSTAB@@ || echo "$swapfile none swap sw 0 0" >> @@FSTAB@@
# Swap is for peaks: keep the working set in memory.
printf 'vm.swappiness = 10\n' > @@SYSCTL_FILE@@
sysctl -q -p @@SYSCTL_FILE@@ || true
echo "swap: ${size_mib} MiB at $swapfile (memory ${mem_mib} MiB)" | tee @@RECORD@@
