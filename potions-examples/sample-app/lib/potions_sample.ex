defmodule PotionsSample do
  @moduledoc """
  Sample application deployed by Potions for Java in its tests, benchmarks and
  quick start. A dependency-free HTTP/1.1 server (see `PotionsSample.HTTP.Listener`)
  with a handful of routes (see `PotionsSample.Router`).

  Two compile-time inputs live at the project root:

    * `VERSION` - the version string served by `GET /` and `GET /version` and
      recorded by `PotionsSample.Release.migrate/0`;
    * `FAIL_HEALTH` - when this file exists, `GET /health` always answers 500.
  """

  @root Path.expand("..", __DIR__)
  @version_file Path.join(@root, "VERSION")
  @fail_health_file Path.join(@root, "FAIL_HEALTH")

  @external_resource @version_file
  @external_resource @fail_health_file

  @version @version_file
           |> File.read!()
           |> String.split(["\r\n", "\n"], trim: true)
           |> Enum.map(&String.trim/1)
           |> Enum.find("", &(&1 != ""))

  if @version == "" do
    raise "#{@version_file} is empty: it must hold the application version on its first line"
  end

  @fail_health_compiled File.exists?(@fail_health_file)

  @doc "The version read from the VERSION file at compile time."
  @spec version() :: String.t()
  def version, do: @version

  @doc "True when the FAIL_HEALTH file existed at compile time."
  @spec fail_health_compiled?() :: boolean()
  def fail_health_compiled?, do: @fail_health_compiled

  @doc "True when `GET /health` must fail (compile-time file or SAMPLE_FAIL_HEALTH=true)."
  @spec unhealthy?() :: boolean()
  def unhealthy? do
    @fail_health_compiled or System.get_env("SAMPLE_FAIL_HEALTH") == "true"
  end
end
