# Prints what a release's native code depends on, as key=value lines: the distribution, the
# architecture, the C library and OpenSSL (the crypto NIF links libcrypto). The same script runs
# where a release is built and on the app server, so the two can be compared before anything moves.
os_id='' os_version='' os_name=''
if [ -r /etc/os-release ]; then
  # shellcheck disable=SC1091
  . /etc/os-release
  os_id="${ID:-}" os_version="${VERSION_ID:-}" os_name="${PRETTY_NAME:-}"
fi
echo "os_id=$os_id"
echo "os_version=$os_version"
echo "os_name=$os_name"
echo "arch=$(uname -m)"
echo "glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}' || true)"
# The libcrypto the dynamic linker would load, by its version; the openssl command may be absent.
libcrypto=$( (ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null || true) | awk '$1 ~ /^libcrypto\.so\./ {print $NF; exit}')
openssl=''
if [ -n "$libcrypto" ]; then
  openssl=$(grep -aoE 'OpenSSL [0-9]+\.[0-9]+\.[0-9]+[a-z]?' "$libcrypto" 2>/dev/null | head -1 | cut -d' ' -f2 || true)
fi
if [ -z "$openssl" ]; then openssl=$(openssl version 2>/dev/null | awk '{print $2}' || true); fi
echo "openssl=$openssl"
