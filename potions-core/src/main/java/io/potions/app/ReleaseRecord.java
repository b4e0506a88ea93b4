package io.potions.app;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A release kept on the server, newest first in the app's state.
 *
 * @param id the release id (the id of the deployment that built it)
 * @param commit the commit it was built from
 * @param releaseName the Mix release name ({@code bin/<name>})
 * @param bytes its size on disk
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ReleaseRecord(String id, String commit, String releaseName, long bytes) {}
