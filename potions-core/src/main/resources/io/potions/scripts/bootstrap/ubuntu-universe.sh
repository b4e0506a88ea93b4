export DEBIAN_FRONTEND=noninteractive
apt-get -q -y -o DPkg::Lock::Timeout=300 install software-properties-common
add-apt-repository -y universe
