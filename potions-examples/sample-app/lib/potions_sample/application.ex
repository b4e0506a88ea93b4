defmodule PotionsSample.Application do
  @moduledoc false
  use Application
  require Logger

  @impl true
  def start(_type, _args) do
    case port_from_env(System.get_env("PORT")) do
      {:ok, port} ->
        children =
          [
            {Registry, keys: :duplicate, name: PotionsSample.HTTP.WebSocket.registry()},
            {Task.Supervisor, name: PotionsSample.ConnectionSupervisor},
            {PotionsSample.HTTP.Listener,
             port: port, connection_supervisor: PotionsSample.ConnectionSupervisor},
            # After the listener: stopped first, it closes WebSockets in batches.
            PotionsSample.HTTP.SocketDrainer
          ] ++ crash_timer()

        Supervisor.start_link(children, strategy: :rest_for_one, name: PotionsSample.Supervisor)

      {:error, message} ->
        IO.puts(:stderr, "potions-sample: " <> message)
        {:error, message}
    end
  end

  @doc false
  def port_from_env(nil),
    do: {:error, "the PORT environment variable is required (e.g. PORT=4000)"}

  def port_from_env(value) do
    case Integer.parse(String.trim(value)) do
      {port, ""} when port in 0..65_535 ->
        {:ok, port}

      _ ->
        {:error,
         "the PORT environment variable must be an integer in 0..65535, got: #{inspect(value)}"}
    end
  end

  # Variant "release that crashes right after passing its health check":
  # SAMPLE_CRASH_AFTER_SECONDS=N halts the whole VM N seconds after start.
  defp crash_timer do
    case crash_after_seconds() do
      :unset ->
        []

      :invalid ->
        Logger.warning(
          "potions-sample: ignoring SAMPLE_CRASH_AFTER_SECONDS, not a non-negative integer"
        )

        []

      {:ok, seconds} ->
        Logger.warning(
          "potions-sample: SAMPLE_CRASH_AFTER_SECONDS=#{seconds}, the VM will halt in #{seconds} s"
        )

        [
          Supervisor.child_spec(
            {Task,
             fn ->
               Process.sleep(seconds * 1000)

               IO.puts(
                 :stderr,
                 "potions-sample: halting after #{seconds} s (SAMPLE_CRASH_AFTER_SECONDS)"
               )

               System.halt(1)
             end},
            id: :crash_timer
          )
        ]
    end
  end

  @doc false
  @spec crash_after_seconds() :: {:ok, non_neg_integer()} | :unset | :invalid
  def crash_after_seconds do
    case System.get_env("SAMPLE_CRASH_AFTER_SECONDS") do
      nil ->
        :unset

      value ->
        case Integer.parse(String.trim(value)) do
          {seconds, ""} when seconds >= 0 -> {:ok, seconds}
          _ -> :invalid
        end
    end
  end
end
