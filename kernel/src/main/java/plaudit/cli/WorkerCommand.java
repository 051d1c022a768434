package plaudit.cli;

import plaudit.worker.Auth;
import plaudit.worker.ExperimentExecution;
import plaudit.worker.JobQueue;
import plaudit.worker.JobStore;
import plaudit.worker.RewardCompiler;
import plaudit.worker.WorkerServer;

import ai.djl.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import plaudit.UserError;
import plaudit.model.Devices;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code plaudit worker}: runs submitted experiments on this machine's GPU (or CPU) and serves their progress. */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = {"Runs experiments sent by notebooks (runner = remote(url, token)) and `plaudit submit`, one at a "
                + "time on this machine's device, and streams their progress. Jobs, specs and checkpoints are kept "
                + "under --data: a restarted worker resumes the job it was running from its last checkpoint.",
                "A job may carry Kotlin reward source, which the worker compiles and runs: anyone holding the token "
                        + "can run code here. Keep the token secret, and the default loopback bind unless you need "
                        + "another (then use --keystore for TLS)."})
public final class WorkerCommand implements Callable<Integer> {
    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String bind;
    @Option(names = "--port", defaultValue = "8470", description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;
    @Option(names = "--token-file", description = "File whose first line is the bearer token clients must send. "
            + "Required unless bound to loopback, where a new token is written to DATA/token if omitted.")
    Path tokenFile;
    @Option(names = "--data", required = true, description = "Folder for jobs, their specs, metrics and checkpoints.")
    Path data;
    @Option(names = "--keystore", description = "PKCS12/JKS keystore with the server's certificate: serve HTTPS.")
    Path keystore;
    @Option(names = "--keystore-password-file", description = "File holding the keystore's password.")
    Path keystorePasswordFile;
    @Option(names = "--device", description = "cpu, gpu or gpu:N (default: gpu when PyTorch sees one, else cpu).")
    String device;

    @Override
    public Integer call() throws Exception {
        boolean loopback = loopback(bind);
        if (tokenFile == null && !loopback) {
            throw new UserError("--bind " + bind + " is not a loopback address: a worker reachable from other machines "
                    + "needs --token-file (it would otherwise run anyone's code)");
        }
        if ((keystore == null) != (keystorePasswordFile == null)) {
            throw new UserError("--keystore and --keystore-password-file go together");
        }
        Files.createDirectories(data);
        Auth auth = Auth.fromFile(tokenFile != null ? tokenFile : newToken(data.resolve("token")));
        WorkerServer.Tls tls = keystore == null ? null
                : new WorkerServer.Tls(keystore, Files.readString(keystorePasswordFile, StandardCharsets.UTF_8).strip());
        String dev = device != null ? device : Engine.getEngine("PyTorch").getGpuCount() > 0 ? "gpu" : "cpu";
        Devices.parse(dev); // a GPU that is not there fails now, not in the first job
        JobStore store = new JobStore(data);
        JobQueue queue = new JobQueue(store, new ExperimentExecution(store, dev));
        WorkerServer server = new WorkerServer(store, queue, auth, bind, port, tls).start();
        queue.start();
        System.err.printf("worker: %s://%s:%d/v1 on %s, %d job(s) under %s, reward sources %s%n",
                tls == null ? "http" : "https", bind, server.port(), dev, store.list().size(), data,
                RewardCompiler.find() != null ? "accepted" : "refused (no Kotlin compiler on the classpath)");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        stopped.await();
        return 0;
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
