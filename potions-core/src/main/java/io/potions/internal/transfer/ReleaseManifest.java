package io.potions.internal.transfer;

import io.potions.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a release is made of, as content-addressed entries: each directory with its mode, each
 * symlink with its target, each regular file with its mode, size and SHA-256. A server stores file
 * contents once, keyed by {@link FileEntry#key()}, and assembles any release from its manifest, so a
 * new release needs only the files no earlier release had.
 *
 * <p>The text form has one entry per line, five tab-separated fields:
 * {@code type mode sha256|target size path} ({@code f}, {@code d} or {@code l}; {@code -} where a
 * field does not apply). The release's own {@code storage} link is never part of it: the receiving
 * server points it at its own storage.
 *
 * @param entries every entry, parents before children
 */
public record ReleaseManifest(List<Entry> entries) {
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern MODE = Pattern.compile("[0-7]{1,4}");

  /** One entry of a release. */
  public sealed interface Entry permits FileEntry, DirEntry, LinkEntry {
    /** @return the path inside the release, relative, with {@code /} separators */
    String path();
  }

  /**
   * A regular file.
   *
   * @param path relative path
   * @param mode permission bits (no set-id or sticky bits)
   * @param sha256 lowercase hex SHA-256 of the content
   * @param size bytes
   */
  public record FileEntry(String path, int mode, String sha256, long size) implements Entry {
    /** @return the key of its stored copy: content hash and mode, since a hard link shares both */
    public String key() {
      return sha256 + "." + Integer.toOctalString(mode);
    }
  }

  /**
   * A directory.
   *
   * @param path relative path
   * @param mode permission bits
   */
  public record DirEntry(String path, int mode) implements Entry {}

  /**
   * A symbolic link.
   *
   * @param path relative path
   * @param target what it points to, as stored in the link
   */
  public record LinkEntry(String path, String target) implements Entry {}

  /**
   * Validates every entry and copies the list.
   *
   * @param entries the release's directories, files and links
   */
  public ReleaseManifest {
    entries = List.copyOf(entries);
    Set<String> seen = new java.util.HashSet<>();
    for (Entry e : entries) {
      checkPath(e.path());
      if (!seen.add(e.path())) {
        throw new InvalidInputException("The release lists '" + e.path() + "' twice.");
      }
      if (e instanceof FileEntry f) {
        checkMode(f.path(), f.mode());
        if (!SHA256.matcher(f.sha256()).matches() || f.size() < 0) {
          throw new InvalidInputException("The release's entry for '" + f.path() + "' has no valid hash or size.");
        }
      } else if (e instanceof DirEntry d) {
        checkMode(d.path(), d.mode());
      } else if (e instanceof LinkEntry l) {
        if (l.target().isEmpty() || l.target().indexOf('\t') >= 0 || l.target().indexOf('\n') >= 0) {
          throw new InvalidInputException("The release's link '" + l.path() + "' has an unusable target.");
        }
      }
    }
  }

  private static void checkPath(String path) {
    if (path.isEmpty() || path.startsWith("/") || path.indexOf('\t') >= 0 || path.indexOf('\n') >= 0
        || path.indexOf('\\') >= 0 || path.indexOf('\0') >= 0) {
      throw new InvalidInputException("The release holds a file name Potions cannot transfer: '" + path
          + "' (absolute, or with a tab, newline or backslash). Rename it in the project.");
    }
    for (String part : path.split("/", -1)) {
      if (part.isEmpty() || part.equals(".") || part.equals("..")) {
        throw new InvalidInputException("The release holds a path that is not plain: '" + path + "'.");
      }
    }
  }

  private static void checkMode(String path, int mode) {
    // Set-id bits on a file the deploy user owns would let the app run code as the deploy user.
    if ((mode & ~0777) != 0) {
      throw new InvalidInputException("The release's entry '" + path + "' has mode " + Integer.toOctalString(mode)
          + " (set-id or sticky bits); releases may only carry plain permissions.");
    }
  }

  /**
   * Parses the text form (what the manifest script prints).
   *
   * @param text lines of {@code type mode sha256|target size path}
   * @return the manifest
   * @throws InvalidInputException when a line is malformed or names an unsupported file type
   */
  public static ReleaseManifest parse(String text) {
    List<Entry> entries = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      String[] f = line.split("\t", 5);
      if (f.length != 5) {
        throw new InvalidInputException("Malformed release manifest line: " + line);
      }
      switch (f[0]) {
        case "f" -> entries.add(new FileEntry(f[4], mode(f[1], line), f[2], size(f[3], line)));
        case "d" -> entries.add(new DirEntry(f[4], mode(f[1], line)));
        case "l" -> entries.add(new LinkEntry(f[4], f[2]));
        default -> throw new InvalidInputException("The release holds '" + f[4] + "', which is neither a file, a"
            + " directory nor a symlink (type " + f[0] + "); remove it from the release.");
      }
    }
    return new ReleaseManifest(sortParentsFirst(entries));
  }

  private static int mode(String s, String line) {
    if (!MODE.matcher(s).matches()) {
      throw new InvalidInputException("Malformed mode in release manifest line: " + line);
    }
    return Integer.parseInt(s, 8);
  }

  private static long size(String s, String line) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new InvalidInputException("Malformed size in release manifest line: " + line);
    }
  }

  /** Sorted by path, so a directory always comes before what it holds (and the text is stable). */
  private static List<Entry> sortParentsFirst(List<Entry> entries) {
    List<Entry> sorted = new ArrayList<>(entries);
    sorted.sort(java.util.Comparator.comparing(e -> e.path().split("/"), ReleaseManifest::comparePaths));
    return sorted;
  }

  private static int comparePaths(String[] a, String[] b) {
    for (int i = 0; i < Math.min(a.length, b.length); i++) {
      int c = a[i].compareTo(b[i]);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.length, b.length);
  }

  /** @return the text form, one line per entry, parents first */
  public String render() {
    StringBuilder s = new StringBuilder();
    for (Entry e : sortParentsFirst(entries)) {
      if (e instanceof FileEntry f) {
        s.append("f\t").append(Integer.toOctalString(f.mode())).append('\t').append(f.sha256()).append('\t')
            .append(f.size());
      } else if (e instanceof DirEntry d) {
        s.append("d\t").append(Integer.toOctalString(d.mode())).append("\t-\t0");
      } else if (e instanceof LinkEntry l) {
        s.append("l\t-\t").append(l.target()).append("\t0");
      }
      s.append('\t').append(e.path()).append('\n');
    }
    return s.toString();
  }

  /** @return the text form as UTF-8 bytes */
  public byte[] renderBytes() {
    return render().getBytes(StandardCharsets.UTF_8);
  }

  /** @return the regular files */
  public List<FileEntry> files() {
    return entries.stream().filter(FileEntry.class::isInstance).map(FileEntry.class::cast).toList();
  }

  /** @return the total size of the regular files, in bytes */
  public long totalBytes() {
    return files().stream().mapToLong(FileEntry::size).sum();
  }

  /** @return every distinct content key, in manifest order */
  public List<String> keys() {
    return files().stream().map(FileEntry::key).distinct().toList();
  }

  /**
   * The files to send, given the keys the server already has: one file per missing key (two files
   * with the same content and mode travel once).
   *
   * @param present the keys the server holds
   * @return the files to send, in manifest order
   */
  public List<FileEntry> missing(Collection<String> present) {
    Set<String> have = Set.copyOf(present);
    Map<String, FileEntry> byKey = new LinkedHashMap<>();
    for (FileEntry f : files()) {
      if (!have.contains(f.key())) {
        byKey.putIfAbsent(f.key(), f);
      }
    }
    return List.copyOf(byKey.values());
  }
}
