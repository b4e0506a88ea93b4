export MISE_DATA_DIR=@@DATA_DIR@@ MISE_CACHE_DIR=@@CACHE_DIR@@
export MISE_YES=1 KERL_BUILD_DOCS=no
# mise itself is a pinned release binary, checked against its published SHA-256 before it ever
# runs (never an install script piped into a shell). A binary on disk that is not exactly the
# pinned one is replaced the same way.
case "$(uname -m)" in
  x86_64|amd64) asset=mise-v@@MISE_VERSION@@-linux-x64; want=@@MISE_SHA256_X64@@ ;;
  aarch64|arm64) asset=mise-v@@MISE_VERSION@@-linux-arm64; want=@@MISE_SHA256_ARM64@@ ;;
  *) echo "@@UNAVAILABLE@@ mise: no pinned build for the architecture $(uname -m)"; exit 3 ;;
esac
if [ ! -x @@MISE@@ ] || [ "$(sha256sum < @@MISE@@ | cut -d' ' -f1)" != "$want" ]; then
  install -d @@BIN_DIR@@
  download=$(mktemp @@BIN_DIR@@/.mise-download.XXXXXX)
  trap 'rm -f "$download"' EXIT
  curl -fsSL --proto '=https' --tlsv1.2 -o "$download" "@@MISE_RELEASES@@/v@@MISE_VERSION@@/$asset" \
    || { echo "@@UNAVAILABLE@@ mise $asset could not be downloaded (no internet access?)"; exit 3; }
  got=$(sha256sum < "$download" | cut -d' ' -f1)
  if [ "$got" != "$want" ]; then
    echo "mise $asset: the download's SHA-256 is $got, not the pinned $want; refusing to run it." >&2
    exit 4
  fi
  chmod 0755 "$download"
  mv -fT "$download" @@MISE@@
  trap - EXIT
fi
@@INSTALL_TOOLS@@
