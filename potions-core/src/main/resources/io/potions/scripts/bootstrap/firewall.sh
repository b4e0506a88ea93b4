ufw default deny incoming
ufw default allow outgoing
@@ALLOW_RULES@@
# SSH is allowed before the firewall goes up, so the current session is never cut off.
ufw --force enable
