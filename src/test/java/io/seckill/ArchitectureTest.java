package io.seckill;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** Rules that keep the hot path lean; each names classes that exist, so it can fail. */
class ArchitectureTest {

	private final JavaClasses classes = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("io.seckill");

	@Test
	void theHotPathNeverTouchesTheDatabase() {
		noClasses().that()
			.resideInAPackage("io.seckill.purchase..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("java.sql..", "javax.sql..", "org.springframework.jdbc..")
			.check(this.classes);
	}

	@Test
	void theHotPathUsesNoBlockingRedisTemplate() {
		noClasses().that()
			.resideInAPackage("io.seckill.purchase..")
			.should()
			.dependOnClassesThat()
			.haveFullyQualifiedName("org.springframework.data.redis.core.StringRedisTemplate")
			.check(this.classes);
	}

	@Test
	void purchaseAndOrderMeetOnlyThroughTheStreamFormat() {
		noClasses().that()
			.resideInAPackage("io.seckill.purchase..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("io.seckill.order..")
			.check(this.classes);
		noClasses().that()
			.resideInAPackage("io.seckill.order..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("io.seckill.purchase..")
			.check(this.classes);
	}

}
