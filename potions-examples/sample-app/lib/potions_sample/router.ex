defmodule PotionsSample.Router do
  @moduledoc """
  Maps a request to a response `{status, content_type, body}`.
  HEAD requests are routed as GET (the connection drops the body).
  """
  require Logger

  alias PotionsSample.DB

  @text "text/plain; charset=utf-8"
  @binary "application/octet-stream"
  @filename ~r/\A[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}\z/
  @max_slow_ms 10_000

  @spec call(String.t(), String.t(), binary()) :: {pos_integer(), String.t(), iodata()}
  def call(method, target, body) do
    case parse_target(target) do
      {:ok, segments, query} -> safe_route(method, segments, query, body)
      :error -> text(400, "bad request")
    end
  end

  defp parse_target(target) do
    {path, query} =
      case String.split(target, "?", parts: 2) do
        [path, query] -> {path, query}
        [path] -> {path, ""}
      end

    segments = path |> String.split("/", trim: true) |> Enum.map(&URI.decode/1)
    {:ok, segments, URI.decode_query(query)}
  rescue
    ArgumentError -> :error
  end

  defp safe_route(method, segments, query, body) do
    route(method, segments, query, body)
  rescue
    error ->
      Logger.error(
        "potions-sample: request failed: " <> Exception.format(:error, error, __STACKTRACE__)
      )

      text(500, "internal error")
  end

  defp route("GET", [], _query, _body) do
    text(
      200,
      "potions-sample #{PotionsSample.version()} slot=#{System.get_env("POTIONS_SLOT", "unknown")}\n"
    )
  end

  defp route("GET", ["health"], _query, _body) do
    if PotionsSample.unhealthy?(), do: text(500, "unhealthy"), else: text(200, "ok")
  end

  defp route("GET", ["version"], _query, _body), do: text(200, PotionsSample.version())

  defp route("GET", ["env", name], _query, _body) do
    exposed =
      System.get_env("SAMPLE_EXPOSED_ENV", "")
      |> String.split(",")
      |> Enum.map(&String.trim/1)

    with true <- name != "" and name in exposed,
         value when is_binary(value) <- System.get_env(name) do
      text(200, value)
    else
      _ -> text(404, "not found")
    end
  end

  defp route("GET", ["db"], _query, _body) do
    case DB.query("select current_database() || ':' || current_user") do
      {:ok, output} -> text(200, String.trim_trailing(output))
      {:error, output} -> text(503, output)
    end
  end

  defp route("GET", ["db", "migrations"], _query, _body) do
    case DB.query("select id, version, ran_at from potions_sample_migrations order by id") do
      {:ok, output} -> text(200, output)
      {:error, output} -> text(503, output)
    end
  end

  defp route("POST", ["storage", name], _query, body) do
    with :ok <- valid_filename(name),
         {:ok, dir} <- storage_dir() do
      path = Path.join(dir, name)
      tmp = Path.join(dir, ".#{name}.#{System.unique_integer([:positive])}.tmp")

      with :ok <- File.mkdir_p(dir),
           :ok <- File.write(tmp, body),
           :ok <- File.rename(tmp, path) do
        text(200, "stored #{name} #{byte_size(body)} bytes")
      else
        {:error, reason} ->
          File.rm(tmp)
          text(503, "cannot write #{path}: #{:file.format_error(reason)}")
      end
    end
  end

  defp route("GET", ["storage", name], _query, _body) do
    with :ok <- valid_filename(name),
         {:ok, dir} <- storage_dir() do
      read_file(Path.join(dir, name))
    end
  end

  defp route("GET", ["storage-link", name], _query, _body) do
    with :ok <- valid_filename(name) do
      case System.get_env("RELEASE_ROOT") do
        root when root in [nil, ""] -> text(503, "RELEASE_ROOT is not set")
        root -> read_file(Path.join(root, "storage/" <> name))
      end
    end
  end

  defp route("GET", ["slow"], query, _body) do
    case Integer.parse(Map.get(query, "ms", "0")) do
      {ms, ""} when ms >= 0 ->
        Process.sleep(min(ms, @max_slow_ms))
        text(200, "slow done")

      _ ->
        text(400, "ms must be a non-negative integer")
    end
  end

  defp route("GET", ["crash-after-health"], _query, _body) do
    case PotionsSample.Application.crash_after_seconds() do
      {:ok, seconds} -> text(200, "crash-after-seconds=#{seconds}")
      _ -> text(200, "crash-after-seconds=off")
    end
  end

  defp route("GET", ["greeting"], query, _body) do
    text(200, Greeting.hello(Map.get(query, "name", "world")))
  end

  defp route("GET", ["assets", "app.js"], _query, _body) do
    path = Application.app_dir(:potions_sample, "priv/static/app.js")

    case File.read(path) do
      {:ok, data} -> {200, "text/javascript; charset=utf-8", data}
      {:error, _} -> text(404, "not found: the asset build (mix assets.deploy) did not run")
    end
  end

  defp route(_method, _segments, _query, _body), do: text(404, "not found")

  defp valid_filename(name) do
    if Regex.match?(@filename, name), do: :ok, else: text(400, "invalid file name")
  end

  defp storage_dir do
    case System.get_env("STORAGE_DIR") do
      dir when dir in [nil, ""] -> text(503, "STORAGE_DIR is not set")
      dir -> {:ok, dir}
    end
  end

  defp read_file(path) do
    case File.read(path) do
      {:ok, data} -> {200, @binary, data}
      {:error, reason} when reason in [:enoent, :enotdir] -> text(404, "not found")
      {:error, reason} -> text(503, "cannot read #{path}: #{:file.format_error(reason)}")
    end
  end

  defp text(status, body), do: {status, @text, body}
end
