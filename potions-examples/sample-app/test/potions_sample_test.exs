defmodule PotionsSampleTest do
  use ExUnit.Case, async: true

  defp connect do
    {:ok, sock} =
      :gen_tcp.connect({127, 0, 0, 1}, PotionsSample.HTTP.Listener.port(), [
        :binary,
        active: false
      ])

    sock
  end

  # Reads one response; returns {status, headers, body}.
  defp read_response(sock) do
    :ok = :inet.setopts(sock, packet: :http_bin)
    {:ok, {:http_response, _, status, _}} = :gen_tcp.recv(sock, 0, 5_000)
    headers = read_headers(sock, %{})
    :ok = :inet.setopts(sock, packet: :raw)

    body =
      case String.to_integer(headers["content-length"]) do
        0 -> ""
        n -> elem(:gen_tcp.recv(sock, n, 5_000), 1)
      end

    {status, headers, body}
  end

  defp read_headers(sock, acc) do
    case :gen_tcp.recv(sock, 0, 5_000) do
      {:ok, {:http_header, _, name, _, value}} ->
        read_headers(sock, Map.put(acc, name |> to_string() |> String.downcase(), value))

      {:ok, :http_eoh} ->
        acc
    end
  end

  defp get(path, extra \\ "") do
    sock = connect()
    :ok = :gen_tcp.send(sock, "GET #{path} HTTP/1.1\r\nhost: x\r\n#{extra}\r\n")
    response = read_response(sock)
    :gen_tcp.close(sock)
    response
  end

  test "root, version and health" do
    version = PotionsSample.version()
    expected = "potions-sample #{version} slot=green\n"
    assert {200, _, ^expected} = get("/")
    assert {200, _, ^version} = get("/version")
    assert {200, _, "ok"} = get("/health")
    assert {404, _, "not found"} = get("/nope")
  end

  test "env allow-list" do
    assert {200, _, "hello"} = get("/env/SAMPLE_TEST_VALUE")
    assert {404, _, _} = get("/env/OTHER")
    assert {404, _, _} = get("/env/PATH")
  end

  test "keep-alive and pipelining on one connection" do
    sock = connect()

    :ok =
      :gen_tcp.send(
        sock,
        "GET /version HTTP/1.1\r\nhost: x\r\n\r\nGET /health HTTP/1.1\r\nhost: x\r\n\r\n"
      )

    assert {200, %{"connection" => "keep-alive"}, _} = read_response(sock)
    assert {200, %{"connection" => "keep-alive"}, "ok"} = read_response(sock)
    :ok = :gen_tcp.send(sock, "GET /health HTTP/1.1\r\nconnection: close\r\n\r\n")
    assert {200, %{"connection" => "close"}, "ok"} = read_response(sock)
    assert {:error, :closed} = :gen_tcp.recv(sock, 0, 5_000)
  end

  test "HTTP/1.0 closes unless keep-alive is asked for" do
    sock = connect()
    :ok = :gen_tcp.send(sock, "GET /health HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")
    assert {200, %{"connection" => "keep-alive"}, "ok"} = read_response(sock)
    :ok = :gen_tcp.send(sock, "GET /health HTTP/1.0\r\n\r\n")
    assert {200, %{"connection" => "close"}, "ok"} = read_response(sock)
    assert {:error, :closed} = :gen_tcp.recv(sock, 0, 5_000)
  end

  test "HEAD has content-length but no body" do
    sock = connect()
    :ok = :gen_tcp.send(sock, "HEAD /health HTTP/1.1\r\n\r\nGET /version HTTP/1.1\r\n\r\n")
    :ok = :inet.setopts(sock, packet: :http_bin)
    {:ok, {:http_response, _, 200, _}} = :gen_tcp.recv(sock, 0, 5_000)
    assert %{"content-length" => "2"} = read_headers(sock, %{})
    version = PotionsSample.version()
    assert {200, _, ^version} = read_response(sock)
  end

  test "storage round trip, content-length and chunked bodies" do
    sock = connect()
    :ok = :gen_tcp.send(sock, "POST /storage/a.txt HTTP/1.1\r\ncontent-length: 5\r\n\r\nhello")
    assert {200, _, "stored a.txt 5 bytes"} = read_response(sock)

    :ok =
      :gen_tcp.send(
        sock,
        "POST /storage/b.bin HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n"
      )

    assert {200, _, "stored b.bin 5 bytes"} = read_response(sock)
    :ok = :gen_tcp.send(sock, "GET /storage/b.bin HTTP/1.1\r\n\r\n")
    assert {200, _, "abcde"} = read_response(sock)
    assert {200, _, "hello"} = get("/storage/a.txt")
    assert {404, _, _} = get("/storage/missing")
    assert {400, _, _} = get("/storage/.hidden")
    assert {400, _, _} = get("/storage/..")
    assert {400, _, _} = get("/storage/a%2Fb")
  end

  test "expect 100-continue" do
    sock = connect()

    :ok =
      :gen_tcp.send(
        sock,
        "POST /storage/c.txt HTTP/1.1\r\ncontent-length: 3\r\nexpect: 100-continue\r\n\r\n"
      )

    assert {:ok, "HTTP/1.1 100 Continue\r\n\r\n"} = :gen_tcp.recv(sock, 25, 5_000)
    :ok = :gen_tcp.send(sock, "xyz")
    assert {200, _, "stored c.txt 3 bytes"} = read_response(sock)
  end

  test "slow and bad input" do
    assert {200, _, "slow done"} = get("/slow?ms=20")
    assert {400, _, _} = get("/slow?ms=abc")
    assert {400, _, _} = get("/storage/%zz")
    sock = connect()
    :ok = :gen_tcp.send(sock, "POST /storage/x HTTP/1.1\r\ncontent-length: 999999999\r\n\r\n")
    assert {413, %{"connection" => "close"}, _} = read_response(sock)
  end

  test "db without DATABASE_URL is a 503" do
    assert {503, _, "DATABASE_URL is not set"} = get("/db")
  end

  test "many concurrent keep-alive connections" do
    results =
      1..300
      |> Task.async_stream(
        fn _ ->
          sock = connect()

          for _ <- 1..5 do
            :ok = :gen_tcp.send(sock, "GET /health HTTP/1.1\r\n\r\n")
            {200, _, "ok"} = read_response(sock)
          end

          :gen_tcp.close(sock)
          :ok
        end,
        max_concurrency: 300,
        timeout: 30_000
      )
      |> Enum.map(fn {:ok, result} -> result end)

    assert Enum.all?(results, &(&1 == :ok))
  end
end
