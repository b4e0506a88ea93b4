@@WRITE_HELPER@@
# Validate the sudoers text before it is live: a broken file would lock sudo out entirely.
@@WRITE_SUDOERS@@
visudo -cqf @@SUDOERS_NEW@@
mv -f @@SUDOERS_NEW@@ @@SUDOERS_FILE@@
