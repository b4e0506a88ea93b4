# `mix test` runs with --no-start (see the alias in mix.exs) so the PORT and
# storage environment can be set before the application starts.
storage =
  Path.join(System.tmp_dir!(), "potions_sample_test_#{System.unique_integer([:positive])}")

System.put_env("PORT", "0")
System.put_env("STORAGE_DIR", storage)
System.put_env("POTIONS_SLOT", "green")
System.put_env("SAMPLE_EXPOSED_ENV", "SAMPLE_TEST_VALUE, OTHER")
System.put_env("SAMPLE_TEST_VALUE", "hello")
{:ok, _} = Application.ensure_all_started(:potions_sample)
ExUnit.after_suite(fn _ -> File.rm_rf(storage) end)
ExUnit.start()
