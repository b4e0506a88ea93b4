/**
 * Runnable examples of the Potions SDK, each run against the local cloud by the test command:
 * <ul>
 *   <li>{@link io.potions.examples.QuickStart}: the quick start ({@code ./potions}), on the local
 *       cloud or DigitalOcean;</li>
 *   <li>{@link io.potions.examples.FluentApiExample}: the fluent API in a plain Java program;</li>
 *   <li>{@link io.potions.examples.DirectorySource} and {@link io.potions.examples.DirectorySourceExample}:
 *       a custom {@link io.potions.spi.SourceHost} and a deploy with it;</li>
 *   <li>{@link io.potions.examples.GradleDeploy}: the Java part of a Gradle deploy task;</li>
 *   <li>{@code src/main/jshell/deploy.jsh}: the SDK from JShell ({@code ./potions jshell}).</li>
 * </ul>
 * The rest ({@link io.potions.examples.ConsoleProgress}, {@link io.potions.examples.TrafficWatch})
 * are small helpers they share; the sample repository and the HTTP probe come from the testkit
 * ({@link io.potions.testkit.SampleRepository}, {@link io.potions.testkit.HttpProbe}), which the
 * end-to-end tests use too.
 */
package io.potions.examples;
