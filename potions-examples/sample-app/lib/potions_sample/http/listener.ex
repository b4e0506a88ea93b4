defmodule PotionsSample.HTTP.Listener do
  @moduledoc """
  Owns the listening socket (127.0.0.1 only) and a small pool of acceptor
  processes. Each accepted socket is handed to a new process under the
  connection `Task.Supervisor` (one process per connection).

  Graceful shutdown happens in `terminate/2`, which the supervisor calls when
  the application stops (SIGTERM -> `:init.stop/0`): the listening socket is
  closed first (no new connections), then every connection is told to drain
  (finish the request in progress, answer it with `Connection: close`, close
  idle keep-alive connections), and the listener waits up to
  `@drain_timeout` ms for them to finish. The connection supervisor is started
  before the listener, so it is still alive while this happens and stops
  (killing whatever is left) right after.
  """
  use GenServer, shutdown: 15_000
  require Logger

  alias PotionsSample.HTTP.Connection

  @acceptors 8
  @drain_timeout 10_000
  @drain_poll 100

  @listen_options [
    :binary,
    packet: :raw,
    active: false,
    ip: {127, 0, 0, 1},
    reuseaddr: true,
    nodelay: true,
    backlog: 1024,
    send_timeout: 30_000,
    send_timeout_close: true
  ]

  def start_link(opts), do: GenServer.start_link(__MODULE__, opts, name: __MODULE__)

  @doc "The port actually listened on (useful with PORT=0)."
  def port, do: GenServer.call(__MODULE__, :port)

  @impl true
  def init(opts) do
    Process.flag(:trap_exit, true)
    port = Keyword.fetch!(opts, :port)
    sup = Keyword.fetch!(opts, :connection_supervisor)

    case :gen_tcp.listen(port, @listen_options) do
      {:ok, lsock} ->
        {:ok, actual_port} = :inet.port(lsock)
        acceptors = for _ <- 1..@acceptors, into: MapSet.new(), do: start_acceptor(lsock, sup)

        Logger.info(
          "potions-sample #{PotionsSample.version()} listening on 127.0.0.1:#{actual_port}"
        )

        {:ok, %{lsock: lsock, sup: sup, port: actual_port, acceptors: acceptors}}

      {:error, reason} ->
        message =
          "potions-sample: cannot listen on 127.0.0.1:#{port}: #{:inet.format_error(reason)}"

        IO.puts(:stderr, message)
        {:stop, {:listen_failed, port, reason}}
    end
  end

  @impl true
  def handle_call(:port, _from, state), do: {:reply, state.port, state}

  @impl true
  def handle_info({:EXIT, pid, reason}, state) do
    if MapSet.member?(state.acceptors, pid) do
      # An acceptor only stops on an unexpected accept error; replace it.
      Logger.warning("potions-sample: acceptor exited (#{inspect(reason)}), restarting it")

      acceptors =
        state.acceptors
        |> MapSet.delete(pid)
        |> MapSet.put(start_acceptor(state.lsock, state.sup))

      {:noreply, %{state | acceptors: acceptors}}
    else
      {:noreply, state}
    end
  end

  def handle_info(_message, state), do: {:noreply, state}

  @impl true
  def terminate(reason, state) do
    # Stop accepting: acceptors blocked in accept/1 get {:error, :closed} and exit.
    :gen_tcp.close(state.lsock)

    if graceful?(reason) do
      await_acceptors(state.acceptors, System.monotonic_time(:millisecond) + 1_000)
      connections = Task.Supervisor.children(state.sup)

      Logger.info(
        "potions-sample stopping: listener closed, draining #{length(connections)} connection(s)"
      )

      deadline = System.monotonic_time(:millisecond) + @drain_timeout

      case drain(state.sup, deadline) do
        0 ->
          Logger.info("potions-sample stopped: all connections drained")

        left ->
          Logger.warning(
            "potions-sample stopped: #{left} connection(s) still open after #{@drain_timeout} ms"
          )
      end
    end

    :ok
  end

  defp graceful?(:normal), do: true
  defp graceful?(:shutdown), do: true
  defp graceful?({:shutdown, _}), do: true
  defp graceful?(_), do: false

  defp await_acceptors(acceptors, deadline) do
    if MapSet.size(acceptors) == 0 do
      :ok
    else
      wait = max(deadline - System.monotonic_time(:millisecond), 0)

      receive do
        {:EXIT, pid, _} -> await_acceptors(MapSet.delete(acceptors, pid), deadline)
      after
        wait -> :ok
      end
    end
  end

  # Tells every connection to drain, repeatedly (a connection that was being
  # handed over when the first message went out gets a later one), until none
  # is left or the deadline passes. Returns the number still open.
  defp drain(sup, deadline) do
    case Task.Supervisor.children(sup) do
      [] ->
        0

      connections ->
        if System.monotonic_time(:millisecond) >= deadline do
          length(connections)
        else
          Enum.each(connections, &send(&1, :drain))
          Process.sleep(@drain_poll)
          drain(sup, deadline)
        end
    end
  end

  defp start_acceptor(lsock, sup) do
    spawn_link(fn -> accept_loop(lsock, sup) end)
  end

  defp accept_loop(lsock, sup) do
    case :gen_tcp.accept(lsock) do
      {:ok, sock} ->
        hand_over(sock, sup)
        accept_loop(lsock, sup)

      {:error, :closed} ->
        :ok

      {:error, reason}
      when reason in [:emfile, :enfile, :enobufs, :enomem, :econnaborted, :timeout] ->
        # Out of descriptors or a client that went away before accept: back off briefly.
        Process.sleep(if reason == :econnaborted, do: 0, else: 100)
        accept_loop(lsock, sup)

      {:error, reason} ->
        exit({:accept_failed, reason})
    end
  end

  defp hand_over(sock, sup) do
    case Task.Supervisor.start_child(sup, &Connection.run/0, shutdown: :brutal_kill) do
      {:ok, pid} ->
        case :gen_tcp.controlling_process(sock, pid) do
          :ok ->
            send(pid, {:socket, sock})

          {:error, _} ->
            Process.exit(pid, :kill)
            :gen_tcp.close(sock)
        end

      _ ->
        :gen_tcp.close(sock)
    end
  end
end
