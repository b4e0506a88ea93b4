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
      deps: [],
      aliases: [test: "test --no-start"],
      releases: [
        potions_sample: [
          include_executables_for: [:unix],
          steps: [:assemble, :tar]
        ]
      ]
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
