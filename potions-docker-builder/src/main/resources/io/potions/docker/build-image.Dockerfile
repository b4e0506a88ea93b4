# The local-container builder's image: the base (a debootstrapped Debian like the app servers, or an
# image such as hexpm/elixir that already has Erlang and Elixir) plus what a build needs that it lacks:
# the distribution's Erlang/OTP and Elixir, git, a C toolchain for NIFs, Node.js and npm for assets/.
FROM @@BASE@@
ENV LANG=C.UTF-8 LC_ALL=C.UTF-8
RUN set -eu; \
    export DEBIAN_FRONTEND=noninteractive; \
    packages=""; \
    command -v git >/dev/null 2>&1 || packages="$packages git"; \
    [ -f /etc/ssl/certs/ca-certificates.crt ] || packages="$packages ca-certificates"; \
    command -v ps >/dev/null 2>&1 || packages="$packages procps"; \
    { command -v cc && command -v make; } >/dev/null 2>&1 || packages="$packages build-essential"; \
    command -v elixir >/dev/null 2>&1 || packages="$packages erlang-nox erlang-dev elixir"; \
    command -v npm >/dev/null 2>&1 || packages="$packages nodejs npm"; \
    if [ -n "$packages" ]; then \
      apt-get -q update; \
      apt-get -q -y install --no-install-recommends $packages; \
      apt-get clean; rm -rf /var/lib/apt/lists/*; \
    fi
LABEL io.potions.builder=local-container
