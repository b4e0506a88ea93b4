defmodule PotionsSample.HTTP.WebSocket do
  @moduledoc """
  The WebSocket endpoint, `GET /ws` (RFC 6455, no extensions, no Hex).

  The connection process that read the upgrade request becomes the socket's
  process: it answers the handshake (`Sec-WebSocket-Accept` is the base64 SHA-1
  of the key and the RFC's GUID), registers itself under
  `PotionsSample.WebSocket.Registry` so the `PotionsSample.HTTP.SocketDrainer`
  can find it at shutdown, and then:

    * sends `hello <version> <slot>` as its first text message, so a client
      knows which release it reached;
    * echoes every text and binary message;
    * pings the client every #{15} s and answers pings with pongs;
    * on `:going_away` (from the drainer) sends a close frame with code 1001
      and closes once the client answers it (or after 2 s).

  The HTTP listener's `:drain` message is ignored here: long-lived sockets are
  the drainer's business, closed in batches rather than all at once.
  """
  require Logger

  @guid "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
  @registry PotionsSample.WebSocket.Registry
  @ping_interval 15_000
  @close_wait 2_000
  @max_frame 1_048_576

  @doc "The registry the sockets register in (key `:sockets`)."
  def registry, do: @registry

  @doc "True when the request asks for a WebSocket on `/ws`."
  @spec upgrade?(String.t(), String.t(), [{String.t(), String.t()}]) :: boolean()
  def upgrade?("GET", target, headers) do
    path = target |> String.split("?", parts: 2) |> hd()

    path == "/ws" and token?(headers, "upgrade", "websocket") and
      token?(headers, "connection", "upgrade")
  end

  def upgrade?(_method, _target, _headers), do: false

  @doc "Answers the handshake and serves the socket until it closes. Never returns."
  def run(sock, headers) do
    _ = :inet.setopts(sock, packet: :raw, active: false)

    case {header(headers, "sec-websocket-key"), header(headers, "sec-websocket-version")} do
      {key, "13"} when is_binary(key) and key != "" ->
        accept = :crypto.hash(:sha, key <> @guid) |> Base.encode64()

        handshake = [
          "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n",
          "sec-websocket-accept: ",
          accept,
          "\r\nserver: potions-sample\r\n\r\n"
        ]

        with :ok <- :gen_tcp.send(sock, handshake),
             {:ok, _} <- Registry.register(@registry, :sockets, nil),
             :ok <- :gen_tcp.send(sock, frame(0x1, hello())) do
          Process.send_after(self(), :ping, @ping_interval)
          loop(%{sock: sock, buffer: <<>>, fragments: nil, closing_until: nil})
        else
          _ -> close(sock)
        end

      _ ->
        body = "a WebSocket handshake needs Sec-WebSocket-Key and Sec-WebSocket-Version: 13"

        _ =
          :gen_tcp.send(sock, [
            "HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain; charset=utf-8\r\n",
            "sec-websocket-version: 13\r\nconnection: close\r\ncontent-length: ",
            Integer.to_string(byte_size(body)),
            "\r\n\r\n",
            body
          ])

        close(sock)
    end
  end

  @doc false
  def hello do
    "hello #{PotionsSample.version()} #{System.get_env("POTIONS_SLOT", "unknown")}"
  end

  ## The socket loop

  defp loop(state) do
    %{sock: sock} = state

    case :inet.setopts(sock, active: :once) do
      :ok -> :ok
      {:error, _} -> exit(:normal)
    end

    timeout =
      case state.closing_until do
        nil -> :infinity
        until -> max(until - System.monotonic_time(:millisecond), 0)
      end

    receive do
      {:tcp, ^sock, data} ->
        frames(%{state | buffer: state.buffer <> data})

      {:tcp_closed, ^sock} ->
        exit(:normal)

      {:tcp_error, ^sock, _} ->
        exit(:normal)

      :ping ->
        Process.send_after(self(), :ping, @ping_interval)
        send_or_exit(sock, frame(0x9, "potions"))
        loop(state)

      :going_away ->
        going_away(state, 1001, "server restarting")

      :drain ->
        loop(state)
    after
      timeout -> close(sock)
    end
  end

  defp going_away(%{closing_until: nil} = state, code, reason) do
    send_or_exit(state.sock, frame(0x8, <<code::16, reason::binary>>))
    loop(%{state | closing_until: System.monotonic_time(:millisecond) + @close_wait})
  end

  defp going_away(state, _code, _reason), do: loop(state)

  defp frames(state) do
    case parse(state.buffer) do
      :more -> loop(state)
      {:error, code} -> fail(state, code)
      {:ok, fin, opcode, payload, rest} -> on_frame(fin, opcode, payload, %{state | buffer: rest})
    end
  end

  # Control frames: close, ping, pong.
  defp on_frame(_fin, 0x8, payload, state) do
    if state.closing_until == nil do
      # The client closes: answer with its code, then close.
      code = if byte_size(payload) >= 2, do: binary_part(payload, 0, 2), else: <<1000::16>>
      _ = :gen_tcp.send(state.sock, frame(0x8, code))
    end

    close(state.sock)
  end

  defp on_frame(_fin, 0x9, payload, state) do
    send_or_exit(state.sock, frame(0xA, payload))
    frames(state)
  end

  defp on_frame(_fin, 0xA, _payload, state), do: frames(state)

  # Data frames, possibly fragmented.
  defp on_frame(1, opcode, payload, %{fragments: nil} = state) when opcode in [0x1, 0x2] do
    echo(opcode, payload, state)
  end

  defp on_frame(0, opcode, payload, %{fragments: nil} = state) when opcode in [0x1, 0x2] do
    frames(%{state | fragments: {opcode, [payload]}})
  end

  defp on_frame(fin, 0x0, payload, %{fragments: {opcode, parts}} = state) do
    parts = [payload | parts]

    cond do
      IO.iodata_length(parts) > @max_frame -> fail(state, 1009)
      fin == 1 -> echo(opcode, parts |> Enum.reverse() |> IO.iodata_to_binary(), state)
      true -> frames(%{state | fragments: {opcode, parts}})
    end
  end

  defp on_frame(_fin, _opcode, _payload, state), do: fail(state, 1002)

  defp echo(opcode, payload, state) do
    if state.closing_until == nil, do: send_or_exit(state.sock, frame(opcode, payload))
    frames(%{state | fragments: nil})
  end

  defp fail(state, code) do
    _ = :gen_tcp.send(state.sock, frame(0x8, <<code::16>>))
    close(state.sock)
  end

  ## Frames

  # Client frames must be masked (RFC 6455, 5.1).
  @doc false
  def parse(<<fin::1, _rsv::3, opcode::4, 1::1, len::7, rest::binary>>) do
    case {len, rest} do
      {126, <<n::16, rest::binary>>} -> payload(fin, opcode, n, rest)
      {127, <<n::64, rest::binary>>} -> payload(fin, opcode, n, rest)
      {n, rest} when n < 126 -> payload(fin, opcode, n, rest)
      _ -> :more
    end
  end

  def parse(<<_::8, 0::1, _::7, _::binary>>), do: {:error, 1002}
  def parse(_), do: :more

  defp payload(_fin, _opcode, n, _rest) when n > @max_frame, do: {:error, 1009}

  defp payload(fin, opcode, n, rest) do
    case rest do
      <<mask::binary-size(4), data::binary-size(n), rest::binary>> ->
        {:ok, fin, opcode, unmask(data, mask), rest}

      _ ->
        :more
    end
  end

  defp unmask(<<>>, _mask), do: <<>>

  defp unmask(data, mask) do
    n = byte_size(data)
    :crypto.exor(data, binary_part(:binary.copy(mask, div(n, 4) + 1), 0, n))
  end

  @doc false
  def frame(opcode, payload) do
    len = byte_size(payload)

    header =
      cond do
        len < 126 -> <<1::1, 0::3, opcode::4, 0::1, len::7>>
        len < 65_536 -> <<1::1, 0::3, opcode::4, 0::1, 126::7, len::16>>
        true -> <<1::1, 0::3, opcode::4, 0::1, 127::7, len::64>>
      end

    [header, payload]
  end

  ## Helpers

  defp send_or_exit(sock, data) do
    case :gen_tcp.send(sock, data) do
      :ok -> :ok
      {:error, _} -> close(sock)
    end
  end

  defp close(sock) do
    :gen_tcp.close(sock)
    exit(:normal)
  end

  defp header(headers, name) do
    case for({^name, value} <- headers, do: value) do
      [value | _] -> String.trim(value)
      [] -> nil
    end
  end

  defp token?(headers, name, token) do
    headers
    |> Enum.filter(fn {n, _} -> n == name end)
    |> Enum.flat_map(fn {_, v} -> String.split(v, ",") end)
    |> Enum.any?(&(String.downcase(String.trim(&1)) == token))
  end
end
