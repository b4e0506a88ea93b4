defmodule PotionsSample.HTTP.Connection do
  @moduledoc """
  One process per TCP connection: a small HTTP/1.1 server loop with keep-alive.

  Request lines and headers are parsed by the socket itself (`packet: :http_bin`);
  bodies are read in `packet: :raw` mode (`Content-Length`) or decoded
  (`Transfer-Encoding: chunked`). Every response carries `Content-Length` and an
  explicit `Connection` header.

  While waiting for the next request the socket is in `active: :once` mode so
  the process also receives `:drain` from the listener during shutdown. A
  connection that is processing a request when `:drain` arrives finishes it and
  answers with `Connection: close`; an idle keep-alive connection is closed
  (after a last non-blocking check for a request that already arrived); a fresh
  connection that has not sent its first request yet gets a short grace period
  to send it.
  """
  alias PotionsSample.Router

  # How long an idle keep-alive connection is kept open. Longer than the idle
  # timeouts of common clients and proxies, so the client side closes first.
  @idle_timeout 300_000
  # How long a fresh connection may take to send its first request.
  @first_request_timeout 60_000
  # While draining, how long a fresh connection may still take to send it.
  @drain_first_request_timeout 2_000
  # Timeout of every read once a request has started.
  @read_timeout 30_000
  @max_headers 100
  @max_body 16 * 1024 * 1024
  @read_chunk 65_536
  @text "text/plain; charset=utf-8"

  @doc false
  def run do
    receive do
      {:socket, sock} ->
        # A request or header line longer than packet_size makes the socket
        # report :emsgsize and close; such requests get no response.
        _ = :inet.setopts(sock, packet: :http_bin, packet_size: 65_536)
        await_request(%{sock: sock, served: 0, draining: false, drain_deadline: nil})
    after
      5_000 -> exit(:normal)
    end
  end

  ## Waiting for a request

  defp await_request(state) do
    %{sock: sock} = state

    case :inet.setopts(sock, active: :once) do
      :ok -> :ok
      {:error, _} -> exit(:normal)
    end

    timeout =
      cond do
        state.draining -> max(state.drain_deadline - System.monotonic_time(:millisecond), 0)
        state.served == 0 -> @first_request_timeout
        true -> @idle_timeout
      end

    receive do
      {:http, ^sock, packet} ->
        on_packet(packet, state)

      {:tcp_closed, ^sock} ->
        exit(:normal)

      {:tcp_error, ^sock, _} ->
        exit(:normal)

      :drain ->
        on_drain_while_idle(flush_drain(mark_draining(state)))
    after
      timeout -> close(sock)
    end
  end

  defp on_packet({:http_request, method, uri, version}, state) do
    handle_request(method, uri, version, state)
  end

  # Empty lines before a request line are allowed (RFC 9112, 2.2).
  defp on_packet({:http_error, line}, state) when line in ["\r\n", "\n"], do: await_request(state)

  defp on_packet(_garbage, state) do
    respond_and_close(state.sock, {400, @text, "bad request"}, false)
  end

  defp on_drain_while_idle(state) do
    %{sock: sock} = state
    # Take the socket out of active mode, then serve a request that already
    # reached us, if any, instead of dropping it.
    _ = :inet.setopts(sock, active: false)

    pending =
      receive do
        {:http, ^sock, packet} -> {:ok, packet}
        {:tcp_closed, ^sock} -> :closed
        {:tcp_error, ^sock, _} -> :closed
      after
        0 -> :gen_tcp.recv(sock, 0, 0)
      end

    case pending do
      {:ok, packet} ->
        on_packet(packet, state)

      :closed ->
        exit(:normal)

      {:error, :timeout} when state.served == 0 ->
        # A fresh connection: its client is about to send a request.
        await_request(state)

      {:error, _} ->
        close(sock)
    end
  end

  ## Reading a request

  defp handle_request(method, uri, version, state) do
    %{sock: sock} = state

    with {:ok, headers} <- read_headers(sock, [], 0),
         {:ok, target} <- request_target(uri),
         {:ok, body_kind} <- body_kind(headers) do
      method = to_string(method)

      if PotionsSample.HTTP.WebSocket.upgrade?(method, target, headers) do
        PotionsSample.HTTP.WebSocket.run(sock, headers)
      end

      keep_alive = keep_alive?(version, headers)
      head? = method == "HEAD"
      route_method = if head?, do: "GET", else: method

      case read_body(sock, body_kind, version, headers) do
        {:ok, body} ->
          _ = :inet.setopts(sock, packet: :http_bin)
          response = Router.call(route_method, target, body)
          state = flush_drain(state)
          close? = not keep_alive or state.draining

          case send_response(sock, response, head?, close?) do
            :ok when close? -> lingering_close(sock)
            :ok -> await_request(%{state | served: state.served + 1})
            {:error, _} -> close(sock)
          end

        {:error, :too_large} ->
          respond_and_close(sock, {413, @text, "payload too large"}, head?)

        {:error, :bad_body} ->
          respond_and_close(sock, {400, @text, "bad request body"}, head?)

        {:error, _} ->
          close(sock)
      end
    else
      {:error, :too_large} ->
        respond_and_close(sock, {413, @text, "payload too large"}, false)

      {:error, :bad_request} ->
        respond_and_close(sock, {400, @text, "bad request"}, false)

      {:error, :not_implemented} ->
        respond_and_close(sock, {501, @text, "not implemented"}, false)

      {:error, _} ->
        close(sock)
    end
  end

  defp read_headers(_sock, _acc, count) when count > @max_headers, do: {:error, :bad_request}

  defp read_headers(sock, acc, count) do
    case :gen_tcp.recv(sock, 0, @read_timeout) do
      {:ok, {:http_header, _, name, _, value}} ->
        name = name |> to_string() |> String.downcase()
        read_headers(sock, [{name, value} | acc], count + 1)

      {:ok, :http_eoh} ->
        {:ok, Enum.reverse(acc)}

      {:ok, _other} ->
        {:error, :bad_request}

      {:error, reason} ->
        {:error, reason}
    end
  end

  defp request_target({:abs_path, path}), do: {:ok, path}

  defp request_target({:absoluteURI, _scheme, _host, _port, path}), do: {:ok, path}

  defp request_target(_), do: {:error, :bad_request}

  defp body_kind(headers) do
    case {header_values(headers, "transfer-encoding"), header_values(headers, "content-length")} do
      {[], []} ->
        {:ok, :none}

      {[], lengths} ->
        case lengths
             |> Enum.flat_map(&String.split(&1, ","))
             |> Enum.map(&String.trim/1)
             |> Enum.uniq() do
          [value] ->
            case Integer.parse(value) do
              {n, ""} when n > @max_body -> {:error, :too_large}
              {n, ""} when n >= 0 -> {:ok, {:length, n}}
              _ -> {:error, :bad_request}
            end

          _ ->
            {:error, :bad_request}
        end

      {codings, _} ->
        codings = codings |> Enum.flat_map(&tokens/1)

        if List.last(codings) == "chunked" and Enum.all?(codings, &(&1 == "chunked")) do
          {:ok, :chunked}
        else
          {:error, :not_implemented}
        end
    end
  end

  defp read_body(_sock, :none, _version, _headers), do: {:ok, ""}
  defp read_body(_sock, {:length, 0}, _version, _headers), do: {:ok, ""}

  defp read_body(sock, kind, version, headers) do
    if version == {1, 1} and
         "100-continue" in Enum.flat_map(header_values(headers, "expect"), &tokens/1) do
      _ = :gen_tcp.send(sock, "HTTP/1.1 100 Continue\r\n\r\n")
    end

    _ = :inet.setopts(sock, packet: :raw)

    case kind do
      {:length, n} -> read_exact(sock, n, [])
      :chunked -> read_chunked(sock, [], 0)
    end
  end

  defp read_exact(_sock, 0, acc), do: {:ok, acc |> Enum.reverse() |> IO.iodata_to_binary()}

  defp read_exact(sock, n, acc) do
    case :gen_tcp.recv(sock, min(n, @read_chunk), @read_timeout) do
      {:ok, data} -> read_exact(sock, n - byte_size(data), [data | acc])
      {:error, reason} -> {:error, reason}
    end
  end

  defp read_chunked(sock, acc, total) do
    _ = :inet.setopts(sock, packet: :line)

    with {:ok, line} <- :gen_tcp.recv(sock, 0, @read_timeout),
         {:ok, size} <- chunk_size(line) do
      cond do
        size == 0 ->
          with :ok <- skip_trailers(sock, 0) do
            {:ok, acc |> Enum.reverse() |> IO.iodata_to_binary()}
          end

        total + size > @max_body ->
          {:error, :too_large}

        true ->
          _ = :inet.setopts(sock, packet: :raw)

          with {:ok, data} <- read_exact(sock, size, []),
               {:ok, "\r\n"} <- read_exact(sock, 2, []) do
            read_chunked(sock, [data | acc], total + size)
          else
            {:ok, _} -> {:error, :bad_body}
            error -> error
          end
      end
    end
  end

  defp chunk_size(line) do
    size = line |> String.split(";", parts: 2) |> hd() |> String.trim()

    case Integer.parse(size, 16) do
      {n, ""} when n >= 0 -> {:ok, n}
      _ -> {:error, :bad_body}
    end
  end

  defp skip_trailers(_sock, count) when count > @max_headers, do: {:error, :bad_body}

  defp skip_trailers(sock, count) do
    case :gen_tcp.recv(sock, 0, @read_timeout) do
      {:ok, line} when line in ["\r\n", "\n"] -> :ok
      {:ok, _trailer} -> skip_trailers(sock, count + 1)
      {:error, reason} -> {:error, reason}
    end
  end

  defp keep_alive?(version, headers) do
    connection = headers |> header_values("connection") |> Enum.flat_map(&tokens/1)

    cond do
      "close" in connection -> false
      version == {1, 1} -> true
      version == {1, 0} -> "keep-alive" in connection
      true -> false
    end
  end

  defp header_values(headers, name), do: for({^name, value} <- headers, do: value)

  defp tokens(value) do
    value
    |> String.split(",")
    |> Enum.map(&(&1 |> String.trim() |> String.downcase()))
    |> Enum.reject(&(&1 == ""))
  end

  defp flush_drain(state) do
    receive do
      :drain -> flush_drain(mark_draining(state))
    after
      0 -> state
    end
  end

  defp mark_draining(%{draining: true} = state), do: state

  defp mark_draining(state) do
    deadline = System.monotonic_time(:millisecond) + @drain_first_request_timeout
    %{state | draining: true, drain_deadline: deadline}
  end

  ## Writing a response

  defp respond_and_close(sock, response, head?) do
    _ = :inet.setopts(sock, packet: :raw)

    case send_response(sock, response, head?, true) do
      :ok -> lingering_close(sock)
      {:error, _} -> close(sock)
    end
  end

  defp send_response(sock, {status, content_type, body}, head?, close?) do
    length = IO.iodata_length(body)

    data = [
      "HTTP/1.1 ",
      status_line(status),
      "\r\ncontent-type: ",
      content_type,
      "\r\ncontent-length: ",
      Integer.to_string(length),
      "\r\nconnection: ",
      if(close?, do: "close", else: "keep-alive"),
      "\r\ncache-control: no-store\r\ndate: ",
      http_date(),
      "\r\nserver: potions-sample\r\n\r\n",
      if(head?, do: "", else: body)
    ]

    :gen_tcp.send(sock, data)
  end

  # Half-close, then read and discard what the client still sends for a short
  # while, so that closing does not reset the connection (which can make the
  # client lose the response it has not read yet).
  defp lingering_close(sock) do
    _ = :inet.setopts(sock, packet: :raw, active: false)
    _ = :gen_tcp.shutdown(sock, :write)
    discard_until_closed(sock, System.monotonic_time(:millisecond) + 2_000)
  end

  defp discard_until_closed(sock, deadline) do
    wait = deadline - System.monotonic_time(:millisecond)

    if wait > 0 do
      case :gen_tcp.recv(sock, 0, min(wait, 500)) do
        {:ok, _} -> discard_until_closed(sock, deadline)
        {:error, _} -> close(sock)
      end
    else
      close(sock)
    end
  end

  defp close(sock) do
    :gen_tcp.close(sock)
    exit(:normal)
  end

  defp status_line(200), do: "200 OK"
  defp status_line(400), do: "400 Bad Request"
  defp status_line(404), do: "404 Not Found"
  defp status_line(413), do: "413 Content Too Large"
  defp status_line(500), do: "500 Internal Server Error"
  defp status_line(501), do: "501 Not Implemented"
  defp status_line(503), do: "503 Service Unavailable"
  defp status_line(status), do: Integer.to_string(status) <> " Status"

  @days {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
  @months {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

  @doc false
  def http_date do
    {{y, mo, d}, {h, mi, s}} = :calendar.universal_time()

    [
      elem(@days, :calendar.day_of_the_week(y, mo, d) - 1),
      ", ",
      pad(d),
      " ",
      elem(@months, mo - 1),
      " ",
      Integer.to_string(y),
      " ",
      pad(h),
      ":",
      pad(mi),
      ":",
      pad(s),
      " GMT"
    ]
  end

  defp pad(n) when n < 10, do: [?0 | Integer.to_string(n)]
  defp pad(n), do: Integer.to_string(n)
end
