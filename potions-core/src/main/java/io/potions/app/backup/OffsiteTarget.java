package io.potions.app.backup;

import io.potions.InvalidInputException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where an app's backups are copied offsite: a bucket on S3-compatible storage (DigitalOcean
 * Spaces, AWS S3, Cloudflare R2, Backblaze B2, Wasabi, Hetzner Object Storage...), written with
 * restic, which encrypts every copy on the server with the repository password before it leaves
 * and stores each chunk once (a second backup of a barely changed app adds little).
 *
 * <p>The repository password is the user's: without it nobody (the storage provider included)
 * can read the copies, and nobody can restore them, so keep it somewhere other than the server.
 * Values are checked here; {@link #toString()} never shows the secrets.
 *
 * <pre>{@code
 * OffsiteTarget spaces = OffsiteTarget.s3("https://fra1.digitaloceanspaces.com", "shop-backups", "fra1",
 *     System.getenv("SPACES_KEY"), System.getenv("SPACES_SECRET"), System.getenv("SHOP_BACKUP_PASSWORD"));
 * shop.backups().offsite(spaces);
 * }</pre>
 */
public final class OffsiteTarget {
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final Pattern REGION = Pattern.compile("[a-z0-9-]{1,40}");
  private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._+/=-]{1,256}");
  private static final Pattern PRINTABLE = Pattern.compile("[!-~]+");
  private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*");

  private final URI endpoint;
  private final String bucket;
  private final String region;
  private final String accessKeyId;
  private final String secretKey;
  private final String repositoryPassword;
  private final Optional<String> prefix;

  private OffsiteTarget(URI endpoint, String bucket, String region, String accessKeyId, String secretKey,
      String repositoryPassword, Optional<String> prefix) {
    this.endpoint = endpoint;
    this.bucket = bucket;
    this.region = region;
    this.accessKeyId = accessKeyId;
    this.secretKey = secretKey;
    this.repositoryPassword = repositoryPassword;
    this.prefix = prefix;
  }

  /**
   * @param endpoint the provider's S3 endpoint, such as {@code https://fra1.digitaloceanspaces.com},
   *     {@code https://s3.eu-central-1.amazonaws.com} or {@code https://<account>.r2.cloudflarestorage.com}
   * @param bucket the bucket (3 to 63 lowercase letters, digits, dots or hyphens); restic creates it
   *     when the keys may
   * @param region the bucket's region ({@code us-east-1} where the provider has none, as R2's {@code auto})
   * @param accessKeyId the access key's id
   * @param secretKey the access key's secret
   * @param repositoryPassword the password restic encrypts with (at least 12 printable characters, no
   *     spaces); held by the user: a restore needs it
   * @return the target; the copies of app {@code APP} go under {@code potions/APP} in the bucket
   * @throws InvalidInputException for a value that cannot work (nothing is changed)
   */
  public static OffsiteTarget s3(String endpoint, String bucket, String region, String accessKeyId, String secretKey,
      String repositoryPassword) {
    return new OffsiteTarget(endpoint(endpoint), check(bucket, BUCKET, "bucket",
        "3 to 63 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit"),
        check(region, REGION, "region", "lowercase letters, digits and hyphens, such as us-east-1 or fra1"),
        check(accessKeyId, KEY_ID, "access key id", "the id your provider shows for the key"),
        secret(secretKey, 1, "secret key"), secret(repositoryPassword, 12, "repository password"), Optional.empty());
  }

  /**
   * @param path where in the bucket the copies go instead of {@code potions/APP}, such as
   *     {@code prod/shop} (letters, digits, dots, hyphens, underscores, separated by slashes)
   * @return a target with that path
   */
  public OffsiteTarget withPrefix(String path) {
    return new OffsiteTarget(endpoint, bucket, region, accessKeyId, secretKey, repositoryPassword,
        Optional.of(check(path, PREFIX, "prefix", "segments of letters, digits, dots, hyphens or underscores"
            + " that start with a letter or digit, separated by single slashes, such as prod/shop")));
  }

  private static URI endpoint(String value) {
    if (value == null || value.isBlank()) {
      throw new InvalidInputException("The offsite endpoint is empty: give the provider's S3 URL, such as"
          + " https://fra1.digitaloceanspaces.com. Nothing was changed.");
    }
    URI u;
    try {
      u = new URI(value.endsWith("/") ? value.substring(0, value.length() - 1) : value);
    } catch (URISyntaxException e) {
      throw new InvalidInputException("The offsite endpoint '" + value + "' is not a URL (" + e.getReason()
          + "); give the provider's S3 URL, such as https://fra1.digitaloceanspaces.com. Nothing was changed.");
    }
    boolean scheme = "https".equals(u.getScheme()) || "http".equals(u.getScheme());
    boolean plain = u.getHost() != null && u.getHost().matches("[A-Za-z0-9.-]+") && u.getUserInfo() == null
        && (u.getPath() == null || u.getPath().isEmpty()) && u.getQuery() == null && u.getFragment() == null;
    if (!scheme || !plain) {
      throw new InvalidInputException("The offsite endpoint '" + value + "' is not an S3 endpoint URL: give"
          + " https://HOST or https://HOST:PORT with no path, user or query (the bucket is a separate value), such"
          + " as https://fra1.digitaloceanspaces.com. Nothing was changed.");
    }
    return u;
  }

  private static String check(String value, Pattern pattern, String what, String accepted) {
    if (value == null || !pattern.matcher(value).matches()) {
      throw new InvalidInputException("The offsite " + what + " '" + (value == null ? "" : value)
          + "' is not valid: " + accepted + ". Nothing was changed.");
    }
    return value;
  }

  private static String secret(String value, int minimum, String what) {
    Objects.requireNonNull(what);
    if (value == null || value.length() < minimum || value.length() > 256 || !PRINTABLE.matcher(value).matches()) {
      throw new InvalidInputException("The offsite " + what + " is not valid: " + minimum + " to 256 printable"
          + " characters with no spaces (it is not shown here). Nothing was changed.");
    }
    return value;
  }

  /** @return the S3 endpoint */
  public URI endpoint() {
    return endpoint;
  }

  /** @return the bucket */
  public String bucket() {
    return bucket;
  }

  /** @return the region */
  public String region() {
    return region;
  }

  /** @return the access key's id */
  public String accessKeyId() {
    return accessKeyId;
  }

  String secretKey() {
    return secretKey;
  }

  String repositoryPassword() {
    return repositoryPassword;
  }

  /**
   * @param app the app
   * @return the restic repository of the app's copies, such as
   *     {@code s3:https://fra1.digitaloceanspaces.com/shop-backups/potions/shop}
   */
  public String resticRepository(String app) {
    return "s3:" + endpoint + "/" + bucket + "/" + prefix.orElse("potions/" + io.potions.internal.Names.app(app));
  }

  @Override
  public String toString() {
    return "OffsiteTarget[" + endpoint + "/" + bucket + prefix.map(p -> "/" + p).orElse("") + ", region " + region
        + ", key " + accessKeyId + "]";
  }
}
