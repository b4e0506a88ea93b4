package io.potions.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3 server in the test JVM: S3Proxy (the S3 API, AWS v2/v4 signatures) over a local
 * directory, listening on all interfaces so a throwaway server reaches it through the Docker bridge
 * gateway. Each bucket is a directory under {@link #directory()}, each object a file in it, so a test
 * can check what a client really stored. Modules that use it depend on {@code org.gaul:s3proxy}.
 *
 * <pre>{@code
 * try (S3Server s3 = S3Server.start(tmp.resolve("s3"), "test-key", "test-secret")) {
 *   String endpoint = s3.endpointFor("172.17.0.1");  // the Docker bridge gateway
 * }
 * }</pre>
 */
public final class S3Server implements AutoCloseable {
  private final Path directory;
  private final int port;
  private final String accessKeyId;
  private final BlobStoreContext context;
  private final S3Proxy proxy;

  private S3Server(Path directory, int port, String accessKeyId, String secretKey) throws Exception {
    this.directory = directory;
    this.port = port;
    this.accessKeyId = accessKeyId;
    Properties properties = new Properties();
    properties.setProperty("jclouds.filesystem.basedir", directory.toString());
    context = ContextBuilder.newBuilder("filesystem").credentials(accessKeyId, secretKey).overrides(properties)
        .build(BlobStoreContext.class);
    proxy = S3Proxy.builder().blobStore(context.getBlobStore()).endpoint(URI.create("http://0.0.0.0:" + port))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKeyId, secretKey).build();
    proxy.start();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!"STARTED".equals(proxy.getState())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("S3Proxy did not start on port " + port + " (state " + proxy.getState() + ")");
      }
      Thread.sleep(50);
    }
  }

  /**
   * Starts a server on a free port.
   *
   * @param directory where the buckets are kept (created when missing)
   * @param accessKeyId the only access key the server accepts
   * @param secretKey its secret
   * @return the running server
   */
  public static S3Server start(Path directory, String accessKeyId, String secretKey) {
    return start(directory, freePort(), accessKeyId, secretKey);
  }

  /**
   * Starts a server on a given port, such as the port of one that was stopped, to change its key
   * (a revoked key, as a provider would) while clients keep their endpoint.
   *
   * @param directory where the buckets are kept (created when missing)
   * @param port the port
   * @param accessKeyId the only access key the server accepts
   * @param secretKey its secret
   * @return the running server
   */
  public static S3Server start(Path directory, int port, String accessKeyId, String secretKey) {
    try {
      Files.createDirectories(directory);
      return new S3Server(directory, port, accessKeyId, secretKey);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException("Cannot start S3Proxy on port " + port + ": " + e, e);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** @return the port it listens on (all interfaces) */
  public int port() {
    return port;
  }

  /** @return the access key id it accepts */
  public String accessKeyId() {
    return accessKeyId;
  }

  /** @return the directory holding one directory per bucket */
  public Path directory() {
    return directory;
  }

  /**
   * @param host an address of this machine the client reaches, such as the Docker bridge gateway
   * @return the endpoint URL for that client, such as {@code http://172.17.0.1:40123}
   */
  public String endpointFor(String host) {
    return "http://" + host + ":" + port;
  }

  /**
   * @param bucket a bucket
   * @return the files of its objects, in no particular order (empty when the bucket does not exist)
   */
  public List<Path> objects(String bucket) {
    Path root = directory.resolve(bucket);
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * @param bucket a bucket
   * @return the total size of its objects in bytes
   */
  public long bytes(String bucket) {
    return objects(bucket).stream().mapToLong(p -> {
      try {
        return Files.size(p);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }).sum();
  }

  /**
   * @param bucket a bucket
   * @param text a string, such as a row's value
   * @return whether any object of the bucket holds that string's UTF-8 bytes as they are
   */
  public boolean anyObjectContains(String bucket, String text) {
    byte[] needle = text.getBytes(StandardCharsets.UTF_8);
    for (Path p : objects(bucket)) {
      try {
        if (indexOf(Files.readAllBytes(p), needle) >= 0) {
          return true;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return false;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** Stops the server; the directory and its buckets stay. */
  @Override
  public void close() {
    try {
      proxy.stop();
    } catch (Exception e) {
      throw new IllegalStateException("Cannot stop S3Proxy: " + e, e);
    } finally {
      context.close();
    }
  }
}
