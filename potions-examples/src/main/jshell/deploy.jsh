// Potions from JShell: provision a server on the local cloud and deploy the sample app.
//
//   ./potions jshell                      (builds the SDK, then runs this script)
//   jshell --class-path "$(./potions classpath)" potions-examples/src/main/jshell/deploy.jsh
//
// Settings, as remote JVM properties (jshell -R-Dname=value): potions.server (default quickstart,
// the quick start's server), potions.home (default ~/.potions), potions.workDir, potions.sampleApp.
// Leave out the final /exit to keep the session open and explore: app.status(), app.logs(20), ...

import io.potions.*;
import io.potions.app.*;
import io.potions.source.GitRepositorySource;
import io.potions.testkit.LocalCloud;
import io.potions.examples.*;
import io.potions.testkit.SampleRepository;

var config = ExampleConfig.fromSystemProperties();
var potions = Potions.builder().cloud(LocalCloud.fromSnapshot()).home(config.home()).progress(new ConsoleProgress(System.out, config.verbose())).build();
var server = potions.server(config.server()).provision();
var repo = SampleRepository.openOrCreate(config.work("jshell"), config.sampleApp());
var app = server.app("jshell").withSource(GitRepositorySource.local(repo.dir()));
if (!app.exists()) app.create(AppSettings.builder().addDomains("jshell.localhost").https(false).build());
var deployment = app.deploy("main");
System.out.println("jshell deployment: " + deployment.status() + " in the " + deployment.slot() + " slot, " + deployment.duration().toMillis() + " ms");
System.out.println("jshell status: " + app.status());
repo.close();
potions.close();
/exit
