install -d -m 0755 @@DIR@@
tmp=$(mktemp @@DIR@@/.upload.XXXXXX)
cat > "$tmp"
chmod 0644 "$tmp"
mv -f "$tmp" @@FILE@@
