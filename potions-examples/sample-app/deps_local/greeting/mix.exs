defmodule Greeting.MixProject do
  use Mix.Project

  # A dependency that is not from Hex: the sample app uses it as a path dependency, so its
  # deps/_build caches are exercised by every builder.
  def project do
    [app: :greeting, version: "0.1.0", elixir: "~> 1.14", deps: []]
  end

  def application, do: []
end
