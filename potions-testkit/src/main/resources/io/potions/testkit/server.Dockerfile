# A fresh "droplet": Debian 12 or 13 with systemd as PID 1 and OpenSSH, nothing else of the stack.
# FROM is filled in by ServerImages (a debootstrapped rootfs, or debian:bookworm where a registry is reachable).
FROM @BASE@
ENV container=docker
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      systemd systemd-sysv dbus openssh-server sudo curl ca-certificates iproute2 less \
 && apt-get clean && rm -rf /var/lib/apt/lists/*
# Like a cloud image: no baked-in host keys (the first boot gets its own, pinned by the SDK),
# root by key only, and password logins open, as a droplet created with a password has them.
# A 'tester' user with a password lets the tests prove provisioning closes password logins.
RUN rm -f /etc/ssh/ssh_host_* \
 && systemctl enable ssh \
 && printf 'PasswordAuthentication yes\nPermitRootLogin prohibit-password\n' > /etc/ssh/sshd_config.d/50-cloud-init.conf \
 && useradd --create-home --shell /bin/bash tester \
 && echo 'tester:@TESTER_PASSWORD@' | chpasswd \
 && install -d -m 0700 /root/.ssh \
 && echo 'testkit' > /etc/hostname
# Units that make no sense in a container.
RUN systemctl mask systemd-udevd.service systemd-udevd-control.socket systemd-udevd-kernel.socket \
      getty.target console-getty.service systemd-firstboot.service sys-kernel-config.mount \
      systemd-modules-load.service 2>/dev/null || true
STOPSIGNAL SIGRTMIN+3
CMD ["/sbin/init"]
