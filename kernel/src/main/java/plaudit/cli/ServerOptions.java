package plaudit.cli;

import plaudit.worker.Auth;
import plaudit.worker.WorkerClient;
import plaudit.worker.WorkerServer;

import picocli.CommandLine.Option;
import plaudit.UserError;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * How {@code plaudit worker} is reached (a picocli mixin): the address and port it listens on, the token clients must
 * send and the certificate for HTTPS.
 */
public final class ServerOptions {
    /** Shorter tokens are accepted, with a warning: 16 random hex characters are 64 bits. */
    static final int MIN_TOKEN_CHARS = 16;

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String bind;
    @Option(names = "--port", defaultValue = "8470", description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;
    @Option(names = "--token-file", description = "File whose first line is the bearer token clients must send. "
            + "Required unless bound to loopback, where a new token is written to DATA/token if omitted.")
    Path tokenFile;
    @Option(names = "--keystore", description = "PKCS12/JKS keystore with the server's certificate: serve HTTPS.")
    Path keystore;
    @Option(names = "--keystore-password-file", description = "File holding the keystore's password.")
    Path keystorePasswordFile;

    /** Refuses, before anything starts, a worker that other machines reach without a token, or half a TLS setup. */
    void check() {
        if (tokenFile == null && !loopback(bind)) {
            throw new UserError("--bind " + bind + " is not a loopback address: a worker reachable from other machines "
                    + "needs --token-file (it would otherwise run anyone's code)");
        }
        if ((keystore == null) != (keystorePasswordFile == null)) {
            throw new UserError("--keystore and --keystore-password-file go together");
        }
    }

    /** The clients' token: from --token-file, else the one kept in {@code data/token} (made on first use). */
    Auth auth(Path data) throws IOException {
        return Auth.fromFile(tokenFile(data));
    }

    /**
     * What is weak in this setup, one line each, for the worker to print at start: a token others can read or guess,
     * or a token sent over the network in clear. Call after {@link #auth}.
     */
    List<String> warnings(Path data) throws IOException {
        List<String> w = new ArrayList<>();
        Path file = tokenFile(data);
        if (Files.getFileStore(file).supportsFileAttributeView(PosixFileAttributeView.class)) {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
                w.add("the token file " + file + " is readable by other users (" + PosixFilePermissions.toString(perms)
                        + "); chmod 600 " + file);
            }
        }
        int length = WorkerClient.token(file).length();
        if (length < MIN_TOKEN_CHARS) {
            w.add("the token in " + file + " has " + length + " characters, easy to guess; use at least " + MIN_TOKEN_CHARS
                    + " random ones, e.g. head -c 32 /dev/urandom | xxd -p -c 64 > " + file);
        }
        if (keystore == null && !loopback(bind)) {
            w.add("--bind " + bind + " over plain HTTP: the token and every job cross the network unencrypted; "
                    + "add --keystore (HTTPS) or bind 127.0.0.1 and use an SSH tunnel");
        }
        return w;
    }

    private Path tokenFile(Path data) throws IOException {
        return tokenFile != null ? tokenFile : newToken(data.resolve("token"));
    }

    /** The certificate to serve HTTPS with, or null for plain HTTP. */
    WorkerServer.Tls tls() throws IOException {
        return keystore == null ? null
                : new WorkerServer.Tls(keystore, Files.readString(keystorePasswordFile, StandardCharsets.UTF_8).strip());
    }

    private static boolean loopback(String bind) {
        try {
            return InetAddress.getByName(bind).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new UserError("--bind " + bind + ": unknown address");
        }
    }

    /** A random token in a file only its owner can read, made once per data folder. */
    private static Path newToken(Path file) throws IOException {
        if (!Files.exists(file)) {
            byte[] bytes = new byte[32];
            new SecureRandom().nextBytes(bytes);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, HexFormat.of().formatHex(bytes) + "\n", StandardCharsets.UTF_8);
            System.err.println("worker: no --token-file; clients use the token in " + file);
        }
        return file;
    }
}
