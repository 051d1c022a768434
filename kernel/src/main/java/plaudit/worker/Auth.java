package plaudit.worker;

import plaudit.UserError;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The worker's bearer token. Compared in constant time over SHA-256 digests, so neither the content nor the length of
 * the token leaks through response timing.
 */
public final class Auth {
    private static final String BEARER = "Bearer ";
    private final byte[] digest;

    public Auth(String token) {
        if (token.isBlank()) throw new UserError("the worker token is empty");
        this.digest = sha256(token);
    }

    /** The first line of {@code file}, trimmed. */
    public static Auth fromFile(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (text.isEmpty()) throw new UserError("--token-file " + file + " is empty; put the token on its first line");
            return new Auth(text.lines().findFirst().orElseThrow().strip());
        } catch (IOException e) {
            throw new UserError("--token-file " + file + " cannot be read: " + e.getMessage());
        }
    }

    /**
     * Whether an {@code Authorization} header value carries the token: the scheme {@code Bearer} in any case (schemes
     * are case-insensitive), one space, then the token exactly, with nothing stripped from it.
     */
    boolean accepts(String authorization) {
        if (authorization == null || authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return false;
        }
        return MessageDigest.isEqual(digest, sha256(authorization.substring(BEARER.length())));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
