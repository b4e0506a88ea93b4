export MISE_DATA_DIR=@@DATA_DIR@@ MISE_CACHE_DIR=@@CACHE_DIR@@
export MISE_YES=1 KERL_BUILD_DOCS=no
if [ ! -x @@MISE@@ ]; then
  install -d @@BIN_DIR@@
  curl -fsSL https://mise.run | MISE_INSTALL_PATH=@@MISE@@ sh || { echo '@@UNAVAILABLE@@ mise could not be installed (no internet access?)'; exit 3; }
fi
@@INSTALL_TOOLS@@
