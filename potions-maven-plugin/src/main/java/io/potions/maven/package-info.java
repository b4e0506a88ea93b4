/**
 * The Potions Maven plugin: {@code potions:provision}, {@code potions:deploy},
 * {@code potions:rollback}, {@code potions:status}, {@code potions:logs} and
 * {@code potions:destroy}, configured in the POM and, for secrets, from the environment. See
 * {@code docs/maven-plugin.md}.
 */
package io.potions.maven;
