package io.seckill.platform;

import java.io.IOException;
import java.net.InetAddress;

/** How a node names itself to the others (stream consumers, lease holders). */
public final class NodeNames {

	private NodeNames() {
	}

	/** The machine's host name, or "worker" when it has none it can resolve. */
	public static String hostName() {
		try {
			return InetAddress.getLocalHost().getHostName();
		}
		catch (IOException ex) {
			return "worker";
		}
	}

}
