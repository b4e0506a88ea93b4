defmodule PotionsSample.HTTP.SocketDrainer do
  @moduledoc """
  Closes the WebSockets in batches when the app stops, the way Phoenix's socket
  drainer does: every client reconnects (to the new release, after a switch),
  but not all in the same instant.

  It is started after the HTTP listener, so on SIGTERM it is terminated first:
  `terminate/2` sends `:going_away` to the open sockets in batches spread evenly
  over the drain period (`SAMPLE_WS_DRAIN_MS`, 10000 unless set; 0 turns the
  drain off and leaves the sockets open until the VM stops), one batch every
  #{200} ms. Its shutdown timeout is the drain period plus a margin, so the
  slot's stop timeout must be at least that (Potions' `shutdownTimeout`).
  """
  use GenServer
  require Logger

  @interval 200
  @default_drain_ms 10_000

  def child_spec(opts) do
    %{
      id: __MODULE__,
      start: {__MODULE__, :start_link, [opts]},
      shutdown: drain_ms() + 5_000
    }
  end

  def start_link(opts), do: GenServer.start_link(__MODULE__, opts, name: __MODULE__)

  @doc "The drain period in ms, from SAMPLE_WS_DRAIN_MS."
  def drain_ms do
    case Integer.parse(String.trim(System.get_env("SAMPLE_WS_DRAIN_MS", ""))) do
      {ms, ""} when ms >= 0 and ms <= 600_000 -> ms
      _ -> @default_drain_ms
    end
  end

  @impl true
  def init(_opts) do
    Process.flag(:trap_exit, true)
    {:ok, drain_ms()}
  end

  @impl true
  def terminate(_reason, 0), do: :ok

  def terminate(_reason, drain_ms) do
    sockets = for {pid, _} <- Registry.lookup(PotionsSample.HTTP.WebSocket.registry(), :sockets), do: pid

    if sockets != [] do
      steps = max(div(drain_ms, @interval), 1)
      batch = max(div(length(sockets) + steps - 1, steps), 1)

      Logger.info(
        "potions-sample stopping: closing #{length(sockets)} WebSocket(s) in batches of #{batch} over #{drain_ms} ms"
      )

      sockets
      |> Enum.chunk_every(batch)
      |> Enum.each(fn chunk ->
        Enum.each(chunk, &send(&1, :going_away))
        Process.sleep(@interval)
      end)
    end

    :ok
  end
end
