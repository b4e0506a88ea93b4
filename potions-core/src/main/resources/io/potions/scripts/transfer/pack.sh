# Writes a gzip-compressed tar of the release files named on standard input (NUL-separated,
# relative to @@DIR@@) to standard output: only what the receiving server lacks.
cd @@DIR@@
tar --create --gzip --file=- --numeric-owner --no-recursion --null --files-from=-
