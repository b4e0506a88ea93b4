defmodule PotionsSample.WebSocketTest do
  use ExUnit.Case, async: false

  alias PotionsSample.HTTP.WebSocket

  defp connect(key \\ "dGhlIHNhbXBsZSBub25jZQ==") do
    {:ok, sock} =
      :gen_tcp.connect({127, 0, 0, 1}, PotionsSample.HTTP.Listener.port(), [:binary, active: false])

    :ok =
      :gen_tcp.send(
        sock,
        "GET /ws HTTP/1.1\r\nhost: x\r\nupgrade: websocket\r\nconnection: keep-alive, Upgrade\r\n" <>
          "sec-websocket-key: #{key}\r\nsec-websocket-version: 13\r\n\r\n"
      )

    {:ok, response} = recv_until(sock, "\r\n\r\n", "")
    {sock, response}
  end

  # Reads the response head line by line, so the frames after it stay in the socket.
  defp recv_until(sock, marker, acc) do
    :ok = :inet.setopts(sock, packet: :line)

    case :gen_tcp.recv(sock, 0, 5_000) do
      {:ok, "\r\n"} ->
        :ok = :inet.setopts(sock, packet: :raw)
        {:ok, acc <> marker}

      {:ok, line} ->
        recv_until(sock, marker, acc <> line)

      error ->
        error
    end
  end

  # A masked client frame.
  defp client_frame(opcode, payload, fin \\ 1) do
    mask = <<1, 2, 3, 4>>
    n = byte_size(payload)
    masked = :crypto.exor(payload, binary_part(:binary.copy(mask, div(n, 4) + 1), 0, n))
    <<fin::1, 0::3, opcode::4, 1::1, n::7, mask::binary, masked::binary>>
  end

  defp read_frame(sock) do
    {:ok, <<_fin::1, _::3, opcode::4, 0::1, len::7>>} = :gen_tcp.recv(sock, 2, 5_000)
    {:ok, payload} = if len == 0, do: {:ok, ""}, else: :gen_tcp.recv(sock, len, 5_000)
    {opcode, payload}
  end

  test "the handshake answers the RFC 6455 example key, then says hello with the version and slot" do
    {sock, response} = connect()
    assert response =~ "HTTP/1.1 101 Switching Protocols"
    # The accept value of the example in RFC 6455, section 1.3.
    assert response =~ "sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    assert {0x1, "hello #{PotionsSample.version()} green"} == read_frame(sock)
    :gen_tcp.close(sock)
  end

  test "text is echoed, fragments are joined, pings are answered, a close is returned" do
    {sock, _} = connect()
    {0x1, _hello} = read_frame(sock)
    :ok = :gen_tcp.send(sock, client_frame(0x1, "echo me"))
    assert {0x1, "echo me"} == read_frame(sock)
    :ok = :gen_tcp.send(sock, [client_frame(0x1, "in ", 0), client_frame(0x0, "two")])
    assert {0x1, "in two"} == read_frame(sock)
    :ok = :gen_tcp.send(sock, client_frame(0x9, "p"))
    assert {0xA, "p"} == read_frame(sock)
    :ok = :gen_tcp.send(sock, client_frame(0x8, <<1000::16>>))
    assert {0x8, <<1000::16>>} == read_frame(sock)
    assert {:error, :closed} == :gen_tcp.recv(sock, 0, 5_000)
  end

  test "an unmasked client frame is refused with 1002" do
    {sock, _} = connect()
    {0x1, _hello} = read_frame(sock)
    :ok = :gen_tcp.send(sock, <<1::1, 0::3, 1::4, 0::1, 2::7, "hi">>)
    assert {0x8, <<1002::16>>} == read_frame(sock)
  end

  test "a handshake without a key is a 400" do
    {:ok, sock} =
      :gen_tcp.connect({127, 0, 0, 1}, PotionsSample.HTTP.Listener.port(), [:binary, active: false])

    :ok =
      :gen_tcp.send(
        sock,
        "GET /ws HTTP/1.1\r\nhost: x\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\r\n"
      )

    {:ok, response} = recv_until(sock, "\r\n\r\n", "")
    assert response =~ "HTTP/1.1 400"
  end

  test ":going_away closes with 1001" do
    {sock, _} = connect()
    {0x1, _hello} = read_frame(sock)

    [pid | _] =
      for {pid, _} <- Registry.lookup(WebSocket.registry(), :sockets), Process.alive?(pid), do: pid

    # Close every registered socket (only this test's is open).
    for {pid, _} <- Registry.lookup(WebSocket.registry(), :sockets), do: send(pid, :going_away)
    assert is_pid(pid)
    assert {0x8, <<1001::16, "server restarting">>} == read_frame(sock)
    :ok = :gen_tcp.send(sock, client_frame(0x8, <<1001::16>>))
    assert {:error, :closed} == :gen_tcp.recv(sock, 0, 5_000)
  end

  test "frames: lengths over 125 use the extended header" do
    assert [<<0x81, 126, 200::16>>, _] = WebSocket.frame(0x1, :binary.copy("a", 200))
    assert :more == WebSocket.parse(<<0x81, 0xFE, 1>>)
  end
end
