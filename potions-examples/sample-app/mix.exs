defmodule PotionsSample.MixProject do
  use Mix.Project

  # The application version served by the app comes from the VERSION file
  # (see PotionsSample.version/0). The Mix/release version stays fixed so the
  # release layout (releases/0.1.0, potions_sample-0.1.0.tar.gz) is predictable
  # whatever string the VERSION file holds.
  def project do
    [
      app: :potions_sample,
      version: "0.1.0",
      elixir: "~> 1.14",
      start_permanent: Mix.env() == :prod,
      deps: deps(),
      aliases: aliases(),
      releases: [
        potions_sample: [
          include_executables_for: [:unix],
          steps: [:assemble, :tar]
        ]
      ]
    ]
  end

  # A path dependency (not from Hex), so builds exercise the deps cache offline.
  defp deps do
    [{:greeting, path: "deps_local/greeting"}]
  end

  # assets.deploy builds priv/static/app.js with the npm script in assets/ (after npm ci), as
  # a Phoenix app runs esbuild and tailwind; the builders run it before mix release.
  defp aliases do
    [
      test: "test --no-start",
      "assets.deploy": ["cmd --cd assets npm run --silent deploy"]
    ]
  end

  def application do
    [
      # :crypto for the WebSocket handshake (SHA-1) and unmasking: without it the
      # release leaves the crypto application out and every upgrade crashes.
      extra_applications: [:logger, :crypto],
      mod: {PotionsSample.Application, []}
    ]
  end
end
