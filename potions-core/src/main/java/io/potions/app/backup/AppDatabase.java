package io.potions.app.backup;

/**
 * One PostgreSQL database of an app: the one it uses, or one a restore left behind (kept until
 * the caller drops it with {@link Backups#dropKeptDatabase(String)}).
 *
 * @param name the database's name
 * @param bytes its size
 * @param current true for the database the app uses
 */
public record AppDatabase(String name, long bytes, boolean current) {}
