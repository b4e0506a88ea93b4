/**
 * Auto-deploy on push: {@link io.potions.github.webhook.WebhookHandler} checks a GitHub webhook
 * delivery (signature, duplicates) and queues deploys of pushed commits;
 * {@link io.potions.github.webhook.WebhookServer} serves it on the JDK's HttpServer for programs
 * without a web framework.
 *
 * <pre>{@code
 * WebhookHandler hooks = WebhookHandler.builder(Secret.of(System.getenv("GITHUB_WEBHOOK_SECRET"))).build();
 * hooks.autoDeploy(server.app("shop").withSource(githubSource), "octo-org/shop", "main");
 * WebhookServer endpoint = WebhookServer.builder(hooks).port(8787).start();
 * }</pre>
 *
 * <h2>In a web framework</h2>
 *
 * <p>The handler needs the request headers and the <em>raw</em> body bytes (the signature covers
 * them exactly: never hand it JSON parsed and written back), and returns a status and a text. It
 * never blocks on a deploy, so it answers well within GitHub's 10 seconds. These snippets are
 * illustrations, not compiled against the frameworks.
 *
 * <p>Spring (MVC or WebFlux with a byte array body):
 * <pre>{@code
 * @PostMapping("/github/webhook")
 * ResponseEntity<String> github(@RequestHeader HttpHeaders headers, @RequestBody byte[] body) {
 *   WebhookResponse r = hooks.handle(headers::getFirst, body);
 *   return ResponseEntity.status(r.status()).contentType(MediaType.TEXT_PLAIN).body(r.body());
 * }
 * }</pre>
 *
 * <p>Javalin:
 * <pre>{@code
 * app.post("/github/webhook", ctx -> {
 *   WebhookResponse r = hooks.handle(ctx::header, ctx.bodyAsBytes());
 *   ctx.status(r.status()).contentType(WebhookResponse.CONTENT_TYPE).result(r.body());
 * });
 * }</pre>
 *
 * <p>A servlet (Jakarta or javax alike):
 * <pre>{@code
 * protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
 *   byte[] body = req.getInputStream().readNBytes(hooks.maxBodyBytes() + 1);
 *   WebhookResponse r = hooks.handle(req::getHeader, body);   // over the limit: 413
 *   resp.setStatus(r.status());
 *   resp.setContentType(WebhookResponse.CONTENT_TYPE);
 *   resp.getWriter().write(r.body());
 * }
 * }</pre>
 *
 * <p>Whatever the framework, limit the request body size there too, serve it over HTTPS, and keep
 * the webhook secret out of source code.
 */
package io.potions.github.webhook;
