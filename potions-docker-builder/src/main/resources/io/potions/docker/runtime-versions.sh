# Prints the build image's Erlang/OTP, Elixir and Node.js versions as key=value lines (empty when absent).
erlang='' elixir='' nodejs=''
if command -v erl >/dev/null 2>&1; then
  # shellcheck disable=SC2016
  erlang=$(erl -noshell -eval 'R = code:root_dir(), O = erlang:system_info(otp_release), case file:read_file(filename:join([R, "releases", O, "OTP_VERSION"])) of {ok, V} -> io:format("~s", [string:trim(V)]); _ -> io:format("~s", [O]) end, halt().' 2>/dev/null || true)
fi
if command -v elixir >/dev/null 2>&1; then
  elixir=$(elixir --short-version 2>/dev/null || true)
fi
if command -v node >/dev/null 2>&1; then
  nodejs=$(node --version 2>/dev/null | sed 's/^v//' || true)
fi
echo "erlang=$erlang"
echo "elixir=$elixir"
echo "nodejs=$nodejs"
