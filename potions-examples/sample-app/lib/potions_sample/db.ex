defmodule PotionsSample.DB do
  @moduledoc """
  Runs SQL through the `psql` client against `$DATABASE_URL` (the app has no
  database driver dependency on purpose).
  """

  @doc """
  Runs `sql` with `psql -X -w -q -tA -v ON_ERROR_STOP=1 -c SQL -d $DATABASE_URL`.
  Returns `{:ok, stdout}` on exit status 0, otherwise `{:error, output}` with
  psql's combined stdout/stderr (or a description of what is missing).
  """
  @spec query(String.t()) :: {:ok, String.t()} | {:error, String.t()}
  def query(sql) do
    with {:ok, url} <- database_url(),
         {:ok, psql} <- psql() do
      args = ["-X", "-w", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-c", sql, "-d", url]

      env =
        if System.get_env("PGCONNECT_TIMEOUT") in [nil, ""],
          do: [{"PGCONNECT_TIMEOUT", "10"}],
          else: []

      case System.cmd(psql, args, stderr_to_stdout: true, env: env) do
        {output, 0} -> {:ok, output}
        {output, status} -> {:error, "psql exited with status #{status}: #{String.trim(output)}"}
      end
    end
  end

  defp database_url do
    case System.get_env("DATABASE_URL") do
      url when url in [nil, ""] -> {:error, "DATABASE_URL is not set"}
      url -> {:ok, url}
    end
  end

  defp psql do
    case System.find_executable("psql") do
      nil -> {:error, "psql not found in PATH"}
      path -> {:ok, path}
    end
  end
end
