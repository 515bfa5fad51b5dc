package io.seckill.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import redis.embedded.core.ExecutableProvider;

/**
 * A real Redis Cluster of 3 primaries and 3 replicas for the tests, one per JVM, started
 * on first use from a {@code redis-server} binary (the machine's when it has one, else
 * the one the embedded Redis ships) on free ports under a temporary directory, and
 * stopped when the JVM exits. The cluster is formed with the cluster commands themselves
 * (ADDSLOTS, MEET, REPLICATE), so no {@code redis-cli} is needed.
 */
public final class RedisClusterServers {

	private static final int PRIMARIES = 3;

	private static final Duration FORMING = Duration.ofSeconds(60);

	private static final Random RANDOM = new Random();

	private static RedisClusterServers started;

	/**
	 * Shared by the set-up's short connections: a client's own resources take time to
	 * start.
	 */
	private static final ClientResources resources = DefaultClientResources.create();

	private final Path directory;

	private final List<Integer> ports = new ArrayList<>();

	private final List<Process> processes = new ArrayList<>();

	private final List<List<String>> commands = new ArrayList<>();

	private RedisClusterServers(Path directory) {
		this.directory = directory;
	}

	/** The JVM's cluster, started and formed if it is not yet. */
	public static synchronized RedisClusterServers started() {
		if (started == null) {
			try {
				RedisClusterServers cluster = new RedisClusterServers(Files.createTempDirectory("seckill-cluster-"));
				Runtime.getRuntime().addShutdownHook(new Thread(cluster::stop, "redis-cluster-stop"));
				cluster.start();
				started = cluster;
			}
			catch (IOException ex) {
				throw new UncheckedIOException("Could not start a Redis Cluster", ex);
			}
		}
		return started;
	}

	/** The nodes as {@code spring.data.redis.cluster.nodes} takes them. */
	public String nodes() {
		return String.join(",", this.ports.stream().map((port) -> "127.0.0.1:" + port).toList());
	}

	/** The port of the primary that serves {@code key}'s slot now. */
	public int primaryOf(String key) {
		int slot = SlotHash.getSlot(key);
		try (Node node = new Node(aLiveNode())) {
			for (String line : node.commands().clusterNodes().split("\n")) {
				String[] fields = line.split(" ");
				if (!fields[2].contains("master") || fields[2].contains("fail")) {
					continue;
				}
				for (int i = 8; i < fields.length; i++) {
					String[] range = fields[i].split("-");
					int from = Integer.parseInt(range[0]);
					int to = Integer.parseInt(range[range.length - 1]);
					if (slot >= from && slot <= to) {
						return Integer
							.parseInt(fields[1].substring(fields[1].indexOf(':') + 1, fields[1].indexOf('@')));
					}
				}
			}
		}
		throw new IllegalStateException("No primary serves slot " + slot);
	}

	/** The port of a replica of the primary on {@code primaryPort}. */
	public int replicaOf(int primaryPort) {
		try (Node node = new Node(primaryPort)) {
			String primaryId = node.commands().clusterMyId();
			for (String line : node.commands().clusterNodes().split("\n")) {
				String[] fields = line.split(" ");
				if (fields[2].contains("slave") && fields[3].equals(primaryId)) {
					return Integer.parseInt(fields[1].substring(fields[1].indexOf(':') + 1, fields[1].indexOf('@')));
				}
			}
		}
		throw new IllegalStateException("The primary on port " + primaryPort + " has no replica");
	}

	/** Freezes the node on {@code port} (SIGSTOP): it answers nothing until resumed. */
	public void pause(int port) {
		signal("STOP", port);
	}

	/** Lets a paused node go on (SIGCONT). */
	public void resume(int port) {
		signal("CONT", port);
	}

	private void signal(String signal, int port) {
		long pid = this.processes.get(this.ports.indexOf(port)).pid();
		try {
			int exit = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor();
			if (exit != 0) {
				throw new IllegalStateException("kill -" + signal + " " + pid + " exited with " + exit);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** Whether the node on {@code port}, read as a replica, holds {@code key}. */
	public boolean holds(int port, String key) {
		try (Node node = new Node(port)) {
			node.commands().readOnly();
			return node.commands().exists(key) == 1;
		}
	}

	/** Kills the node on {@code port} (SIGKILL), as a crashed host would. */
	public void kill(int port) {
		Process process = this.processes.get(this.ports.indexOf(port));
		process.destroyForcibly();
		try {
			process.waitFor();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Starts a killed node again: it reads its cluster state from its nodes.conf and
	 * rejoins (a primary that was replaced comes back as a replica of its successor).
	 */
	public void restart(int port) throws IOException {
		int index = this.ports.indexOf(port);
		this.processes.set(index, launch(port, this.commands.get(index)));
		awaitThat("the restarted node answers", () -> answers(port));
	}

	/**
	 * Waits until every node says the cluster is ok and every primary has a replica in
	 * sync.
	 */
	public void awaitHealthy() {
		awaitThat("the cluster is ok with a replica in sync per primary", () -> this.ports.stream().allMatch((port) -> {
			try (Node node = new Node(port)) {
				String replication = node.commands().info("replication");
				return node.commands().clusterInfo().contains("cluster_state:ok")
						&& (!replication.contains("role:master") || replication.contains("state=online"));
			}
			catch (RuntimeException ex) {
				return false;
			}
		}));
	}

	private int aLiveNode() {
		return this.ports.stream()
			.filter((port) -> this.processes.get(this.ports.indexOf(port)).isAlive() && answers(port))
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("No node of the Redis Cluster answers"));
	}

	private void start() throws IOException {
		String binary = binary();
		for (int i = 0; i < 2 * PRIMARIES; i++) {
			int port = freePort();
			Files.createDirectories(this.directory.resolve(Integer.toString(port)));
			List<String> command = List.of(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1",
					"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "3000",
					"--dir", this.directory.resolve(Integer.toString(port)).toString(), "--save", "", "--appendonly",
					"no", "--maxmemory-policy", "noeviction");
			this.ports.add(port);
			this.commands.add(command);
			this.processes.add(launch(port, command));
		}
		awaitThat("every node answers", () -> this.ports.stream().allMatch(RedisClusterServers::answers));
		form();
	}

	private Process launch(int port, List<String> command) throws IOException {
		Path log = this.directory.resolve(Integer.toString(port)).resolve("redis.log");
		return new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
			.start();
	}

	private void form() {
		int slotsPerPrimary = 16384 / PRIMARIES;
		List<String> primaryIds = new ArrayList<>();
		for (int i = 0; i < PRIMARIES; i++) {
			int from = i * slotsPerPrimary;
			int to = (i == PRIMARIES - 1) ? 16383 : from + slotsPerPrimary - 1;
			try (Node node = new Node(this.ports.get(i))) {
				node.commands().clusterAddSlots(IntStream.rangeClosed(from, to).toArray());
				primaryIds.add(node.commands().clusterMyId());
			}
		}
		for (int port : this.ports.subList(1, this.ports.size())) {
			try (Node node = new Node(port)) {
				node.commands().clusterMeet("127.0.0.1", this.ports.get(0));
			}
		}
		awaitThat("every node knows the others",
				() -> this.ports.stream().allMatch((port) -> knownNodes(port) == this.ports.size()));
		for (int i = 0; i < PRIMARIES; i++) {
			try (Node node = new Node(this.ports.get(PRIMARIES + i))) {
				node.commands().clusterReplicate(primaryIds.get(i));
			}
		}
		awaitHealthy();
	}

	private static int knownNodes(int port) {
		try (Node node = new Node(port)) {
			return node.commands().clusterNodes().split("\n").length;
		}
	}

	private static boolean answers(int port) {
		try (Node node = new Node(port)) {
			return "PONG".equals(node.commands().ping());
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	private void awaitThat(String what, BooleanSupplier condition) {
		long deadline = System.nanoTime() + FORMING.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("Redis Cluster under " + this.directory + ": not true after "
						+ FORMING.toSeconds() + " s that " + what + " (see the nodes' redis.log)");
			}
			try {
				Thread.sleep(100);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("Interrupted while forming the Redis Cluster", ex);
			}
		}
	}

	/**
	 * {@code SECKILL_TEST_REDIS_SERVER} (a path, or {@code bundled} for the embedded
	 * Redis's binary), else a {@code redis-server} on the PATH, else the embedded Redis's
	 * binary (a machine with no Redis).
	 */
	private static String binary() throws IOException {
		String configured = System.getenv("SECKILL_TEST_REDIS_SERVER");
		if ("bundled".equals(configured)) {
			return ExecutableProvider.newJarResourceProvider().get().getPath();
		}
		if (configured != null && !configured.isBlank()) {
			return configured;
		}
		for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
			File candidate = new File(dir, "redis-server");
			if (candidate.canExecute()) {
				return candidate.getPath();
			}
		}
		return ExecutableProvider.newJarResourceProvider().get().getPath();
	}

	/**
	 * A free port whose cluster bus port (port + 10000) is free too: a node listens on
	 * both, and refuses a port above 55535.
	 */
	private int freePort() throws IOException {
		for (int attempt = 0; attempt < 1000; attempt++) {
			int port = 20000 + RANDOM.nextInt(35000);
			if (!this.ports.contains(port) && free(port) && free(port + 10000)) {
				return port;
			}
		}
		throw new IOException("No free port pair (port, port + 10000) for a Redis Cluster node");
	}

	private static boolean free(int port) {
		try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private void stop() {
		resources.shutdown();
		this.processes.forEach(Process::destroyForcibly);
		for (Process process : this.processes) {
			try {
				process.waitFor();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		try (Stream<Path> files = Files.walk(this.directory)) {
			files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
		}
		catch (IOException ex) {
			System.err.println("Could not remove " + this.directory + ": " + ex.getMessage());
		}
	}

	/** A plain connection to one node, for forming and inspecting the cluster. */
	private static final class Node implements AutoCloseable {

		private final RedisClient client;

		private final StatefulRedisConnection<String, String> connection;

		Node(int port) {
			this.client = RedisClient.create(resources,
					RedisURI.Builder.redis("127.0.0.1", port).withTimeout(Duration.ofSeconds(5)).build());
			try {
				this.connection = this.client.connect();
			}
			catch (RuntimeException ex) {
				this.client.shutdown();
				throw ex;
			}
		}

		RedisCommands<String, String> commands() {
			return this.connection.sync();
		}

		@Override
		public void close() {
			this.connection.close();
			this.client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
		}

	}

}
