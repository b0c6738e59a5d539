package io.github.sshfleet.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.github.sshfleet.FleetServices;
import io.github.sshfleet.mcp.ToolHandler;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The house rules, checked on the compiled main classes so they hold without anyone policing them: packages free of
 * cycles, a ground floor (core) that depends on nothing above it, the root package as the front door only, and tool
 * handlers reachable only through the catalog.
 */
class ArchitectureTest {

    static final String ROOT = "io.github.sshfleet";
    static JavaClasses main;

    @BeforeAll
    static void load() {
        main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(main);
    }

    @Test
    void theGroundFloorDependsOnNothingAboveIt() {
        classes()
                .that()
                .resideInAPackage(ROOT + ".core..")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage(ROOT + ".core..", "java..", "org.slf4j..")
                .because("core is the vocabulary every floor shares")
                .check(main);
    }

    @Test
    void thePolicyFloorStandsOnTheGroundFloorOnly() {
        classes()
                .that()
                .resideInAPackage(ROOT + ".policy..")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage(ROOT + ".policy..", ROOT + ".core..", "java..")
                .because("what may run is decided from words and config alone, never from a connection or a tool")
                .check(main);
    }

    @Test
    void nothingButTheFrontDoorDependsOnTheRootPackage() {
        noClasses()
                .that()
                .resideOutsideOfPackages(ROOT, ROOT + ".mcp.tools")
                .should()
                .dependOnClassesThat()
                .resideInAPackage(ROOT)
                .because("the root package is the front door (Main and the wiring)")
                .check(main);
        noClasses()
                .that()
                .resideInAPackage(ROOT + ".mcp.tools")
                .should()
                .dependOnClassesThat(JavaClass.Predicates.resideInAPackage(ROOT)
                        .and(DescribedPredicate.not(JavaClass.Predicates.equivalentTo(FleetServices.class))))
                .because("tools are handed their services and need nothing else from the front door")
                .check(main);
    }

    @Test
    void theMcpLayerDoesNotKnowTheTools() {
        noClasses()
                .that()
                .resideInAPackage(ROOT + ".mcp")
                .should()
                .dependOnClassesThat()
                .resideInAPackage(ROOT + ".mcp.tools")
                .check(main);
    }

    @Test
    void toolHandlersAreReachableOnlyThroughTheCatalog() {
        classes()
                .that()
                .resideInAPackage(ROOT + ".mcp.tools")
                .and()
                .implement(ToolHandler.class)
                .should()
                .notBePublic()
                .check(main);
    }

    @Test
    void toolsChooseTheirMachinesThroughThePolicyGuard() {
        noClasses()
                .that()
                .resideInAPackage(ROOT + ".mcp.tools")
                .and()
                .doNotHaveSimpleName("Guard")
                .and()
                .doNotHaveSimpleName("DisconnectTool") // closes local pool sessions only
                .and()
                .doNotHaveSimpleName("ExecTool") // asks the guard per host, inside its fan-out
                .should()
                .callMethod(io.github.sshfleet.fleet.MachineStore.class, "one", String.class)
                .orShould()
                .callMethod(io.github.sshfleet.fleet.MachineStore.class, "select", Object.class)
                .because("policy: is decided in one place before a tool touches a machine (mcp/tools/Guard)")
                .check(main);
    }

    @Test
    void onlyTheFrontDoorWritesToStdout() {
        noClasses()
                .that()
                .resideOutsideOfPackage(ROOT)
                .should()
                .accessField(System.class, "out")
                .because("stdout carries the MCP protocol")
                .check(main);
    }

    /** A class a newcomer can read at one sitting: a main source file over 400 lines is split, not grown. */
    @Test
    void noMainSourceFileIsOver400Lines() throws java.io.IOException {
        java.util.List<String> tooLong = new java.util.ArrayList<>();
        try (var files = java.nio.file.Files.walk(java.nio.file.Path.of("src/main/java"))) {
            for (java.nio.file.Path f :
                    files.filter(p -> p.toString().endsWith(".java")).toList()) {
                long lines = java.nio.file.Files.readAllLines(f).size();
                if (lines > 400) {
                    tooLong.add(f + " (" + lines + " lines)");
                }
            }
        }
        org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of(), tooLong);
    }
}
