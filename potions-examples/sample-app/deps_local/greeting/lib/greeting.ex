defmodule Greeting do
  @moduledoc "The sample app's path dependency: a greeting served at `GET /greeting`."

  @doc "A greeting for `name`."
  @spec hello(String.t()) :: String.t()
  def hello(name), do: "hello #{name} from the greeting path dependency"
end
