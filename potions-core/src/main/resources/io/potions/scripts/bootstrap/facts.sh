. /etc/os-release
echo "os=$PRETTY_NAME"
echo "erlang=$(erl -noshell -eval 'io:format("~s", [erlang:system_info(otp_release)]), halt().' 2>/dev/null || true)"
echo "elixir=$(elixir --version 2>/dev/null | sed -n 's/^Elixir \([^ ]*\).*/\1/p' || true)"
echo "postgresql=$(psql --version 2>/dev/null | awk '{print $3}' || true)"
echo "proxy=$(@@PROXY_VERSION@@ 2>/dev/null || true)"
