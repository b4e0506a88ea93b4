defmodule PotionsSample.Release do
  @moduledoc """
  Release tasks, run with the release's `eval` command, e.g.

      bin/potions_sample eval "PotionsSample.Release.migrate()"

  A raised error makes `eval` exit with a non-zero status.
  """
  alias PotionsSample.DB

  @doc """
  Creates table `potions_sample_migrations` if missing and records one row
  with the application version. Raises when psql fails, and on purpose when
  `SAMPLE_FAIL_MIGRATION=true`.
  """
  @spec migrate() :: :ok
  def migrate do
    if System.get_env("SAMPLE_FAIL_MIGRATION") == "true" do
      raise "potions-sample migration failed on purpose (SAMPLE_FAIL_MIGRATION=true)"
    end

    version = PotionsSample.version()

    sql = """
    set client_min_messages = warning;
    create table if not exists potions_sample_migrations (
      id serial primary key,
      version text,
      ran_at timestamptz default now()
    );
    insert into potions_sample_migrations (version) values ('#{String.replace(version, "'", "''")}') returning id;
    """

    case DB.query(sql) do
      {:ok, output} ->
        IO.puts(
          "potions-sample migrated: recorded version #{version} (row #{String.trim(output)})"
        )

        :ok

      {:error, message} ->
        raise "potions-sample migration failed: #{message}"
    end
  end
end
