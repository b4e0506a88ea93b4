# Prints the runtimes this server's distribution provides, as key=value lines (read-only; run as
# the deploy user before a build that pins versions). A runtime that is not installed prints empty.
. /etc/os-release
echo "os_id=${ID:-}"
echo "os_version=${VERSION_ID:-}"
otp=''
if command -v erl >/dev/null 2>&1; then
  root=$(erl -noshell -eval 'io:format("~s", [code:root_dir()]), halt().' 2>/dev/null || true)
  release=$(erl -noshell -eval 'io:format("~s", [erlang:system_info(otp_release)]), halt().' 2>/dev/null || true)
  # The full OTP version (27.3.4.1) is in a file; otp_release alone is the major (27).
  if [ -n "$root" ] && [ -r "$root/releases/$release/OTP_VERSION" ]; then otp=$(tr -d '[:space:]' <"$root/releases/$release/OTP_VERSION")
  else otp=$release; fi
fi
echo "erlang=$otp"
echo "elixir=$(elixir --version 2>/dev/null | sed -n 's/^Elixir \([^ ]*\).*/\1/p' || true)"
node=$(node --version 2>/dev/null || true)
echo "nodejs=${node#v}"
echo "npm=$(npm --version 2>/dev/null || true)"
