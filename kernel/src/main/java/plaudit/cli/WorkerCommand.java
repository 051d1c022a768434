package plaudit.cli;

import plaudit.worker.Auth;
import plaudit.worker.DataLock;
import plaudit.worker.ExperimentExecution;
import plaudit.worker.JobQueue;
import plaudit.worker.JobStore;
import plaudit.worker.RewardCompiler;
import plaudit.worker.WorkerServer;

import ai.djl.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import plaudit.model.Devices;

import java.nio.file.Path;
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
    @Mixin
    ServerOptions server;
    @Option(names = "--data", required = true, description = "Folder for jobs, their specs, metrics and checkpoints.")
    Path data;
    @Option(names = "--device", description = "cpu, gpu or gpu:N (default: gpu when PyTorch sees one, else cpu).")
    String device;

    @Override
    public Integer call() throws Exception {
        server.check();
        // first: a second worker on this folder stops here, before it binds a port or reads a job
        try (DataLock lock = DataLock.take(data)) {
            Auth auth = server.auth(data);
            for (String w : server.warnings(data)) System.err.println("worker: warning: " + w);
            WorkerServer.Tls tls = server.tls();
            String dev = device != null ? device : Engine.getEngine("PyTorch").getGpuCount() > 0 ? "gpu" : "cpu";
            Devices.parse(dev); // a GPU that is not there fails now, not in the first job
            JobStore store = new JobStore(data);
            JobQueue queue = new JobQueue(store, new ExperimentExecution(store, dev));
            WorkerServer running = new WorkerServer(store, queue, auth, server.bind, server.port, tls).start();
            queue.start();
            System.err.printf("worker: %s://%s:%d/v1 on %s, %d job(s) under %s, reward sources %s%n",
                    tls == null ? "http" : "https", server.bind, running.port(), dev, store.list().size(), data,
                    RewardCompiler.find() != null ? "accepted" : "refused (no Kotlin compiler on the classpath)");
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                running.close();
                queue.stop();
                stopped.countDown();
            }));
            stopped.await();
        }
        return 0;
    }
}
