package plaudit.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.UserError;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code plaudit worker}'s serving options: what it refuses before starting, and the token it makes on loopback. */
class ServerOptionsTest {

    private static ServerOptions parse(String... args) {
        var parsed = PlauditCli.commandLine().parseArgs(args).subcommand();
        return ((WorkerCommand) parsed.commandSpec().userObject()).server;
    }

    @Test
    void aWorkerReachableFromOtherMachinesNeedsATokenFile(@TempDir Path dir) {
        ServerOptions server = parse("worker", "--bind", "192.0.2.1", "--data", dir.toString());
        UserError e = assertThrows(UserError.class, server::check);
        assertTrue(e.getMessage().startsWith("--bind 192.0.2.1 is not a loopback address"), e.getMessage());
    }

    @Test
    void aKeystoreNeedsItsPasswordFile(@TempDir Path dir) {
        ServerOptions server = parse("worker", "--data", dir.toString(), "--keystore", dir.resolve("k.p12").toString());
        UserError e = assertThrows(UserError.class, server::check);
        assertEquals("--keystore and --keystore-password-file go together", e.getMessage());
    }

    @Test
    void onLoopbackWithoutATokenFileAPrivateTokenIsMadeOnceAndKept(@TempDir Path dir) throws Exception {
        ServerOptions server = parse("worker", "--data", dir.toString());
        assertEquals("127.0.0.1", server.bind);
        assertEquals(8470, server.port);
        server.check();
        assertNull(server.tls());
        server.auth(dir);
        Path token = dir.resolve("token");
        String first = Files.readString(token);
        assertTrue(first.matches("[0-9a-f]{64}\n"), first);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(token)));
        server.auth(dir);
        assertEquals(first, Files.readString(token), "a restarted worker keeps its token");
    }

    @Test
    void aTokenOthersCanReadOrGuessIsWarnedAbout(@TempDir Path dir) throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "s3cret-token-for-tests\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        ServerOptions server = parse("worker", "--data", dir.toString(), "--token-file", token.toString());
        assertEquals(List.of(), server.warnings(dir), "a private token of 22 characters on loopback");

        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(List.of("the token file " + token + " is readable by other users (rw-r--r--); chmod 600 " + token),
                server.warnings(dir));

        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r-----"));
        assertEquals(1, server.warnings(dir).size(), "group-readable too");

        Files.writeString(token, "x\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        List<String> w = server.warnings(dir);
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).startsWith("the token in " + token + " has 1 characters, easy to guess; use at least 16"), w.get(0));
    }

    @Test
    void aNetworkBindOverPlainHttpIsWarnedAbout(@TempDir Path dir) throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "s3cret-token-for-tests\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        ServerOptions open = parse("worker", "--bind", "0.0.0.0", "--data", dir.toString(), "--token-file", token.toString());
        open.check();
        List<String> w = open.warnings(dir);
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).startsWith("--bind 0.0.0.0 over plain HTTP: the token and every job cross the network unencrypted"), w.get(0));
        ServerOptions tls = parse("worker", "--bind", "0.0.0.0", "--data", dir.toString(), "--token-file", token.toString(),
                "--keystore", dir.resolve("k.p12").toString(), "--keystore-password-file", token.toString());
        assertEquals(List.of(), tls.warnings(dir), "HTTPS");
    }
}
