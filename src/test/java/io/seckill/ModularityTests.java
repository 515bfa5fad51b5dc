package io.seckill;

import org.junit.jupiter.api.Test;

import org.springframework.modulith.core.ApplicationModules;
import org.springframework.modulith.docs.Documenter;

/**
 * Fails the build when a module reaches into another's internals or modules form a cycle.
 */
class ModularityTests {

	private final ApplicationModules modules = ApplicationModules.of(SeckillApplication.class);

	@Test
	void modulesOnlyUseEachOthersApis() {
		this.modules.verify();
	}

	@Test
	void writesModuleDocumentation() {
		new Documenter(this.modules).writeModulesAsPlantUml().writeIndividualModulesAsPlantUml();
	}

}
