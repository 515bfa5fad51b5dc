package io.seckill.support;

import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;

/**
 * An integration test with a second API node ({@link SecondNode}, {@link #b}) beside the
 * test's own: what two nodes of a cluster must hold together. The node starts before the
 * class's first test and stops after its last.
 */
public abstract class TwoNodeTest extends IntegrationTest {

	private static SecondNode nodeB;

	@Autowired
	private Environment environment;

	/** The second node's API. */
	protected Api b;

	/** Settings of the second node on top of the ones it shares with the first. */
	protected Map<String, String> secondNodeSettings() {
		return Map.of();
	}

	@BeforeEach
	void startSecondNode() {
		if (nodeB == null) {
			nodeB = SecondNode.start(this.environment, secondNodeSettings());
		}
		this.b = nodeB.api();
	}

	/** The second node itself (its beans). */
	protected SecondNode secondNode() {
		return nodeB;
	}

	@AfterAll
	static void stopSecondNode() {
		if (nodeB != null) {
			nodeB.close();
			nodeB = null;
		}
	}

}
