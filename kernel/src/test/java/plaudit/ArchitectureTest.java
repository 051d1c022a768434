package plaudit;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The packages follow the pipeline (docs/architecture.md): each layer uses only the layers below it, so a package can
 * be read, tested and replaced knowing only what is under it.
 *
 * <pre>
 *   plaudit (UserError), text, report          no plaudit dependency but the root
 *   data, model, sim                           upvotes → comparisons; the GPT; the synthetic forum
 *   train (pg ← ppo, rloo; steer)              every trainer; pg is what PPO and RLOO share
 *   reward, eval                               reward functions and the reward model; win rates, best-of-n
 *   experiment                                 the spec, its stages and runners
 *   worker, bench                              the remote worker; benchmarks
 *   cli                                        every command
 * </pre>
 */
class ArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importMain() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("plaudit");
    }

    @Test
    void layersUseOnlyTheLayersBelowThem() {
        LayeredArchitecture layers = Architectures.layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("root").definedBy("plaudit");
        // every other layer is a package with its subpackages, named as the package
        for (String layer : List.of("text", "report", "data", "model", "sim", "train", "reward", "eval", "experiment",
                "worker", "bench", "cli")) {
            layers = layers.layer(layer).definedBy("plaudit." + layer + "..");
        }
        layers.withOptionalLayers(true)
                .whereLayer("root").mayNotAccessAnyLayer()
                .whereLayer("text").mayOnlyAccessLayers("root")
                .whereLayer("report").mayOnlyAccessLayers("root")
                .whereLayer("data").mayOnlyAccessLayers("root", "text", "report")
                .whereLayer("model").mayOnlyAccessLayers("root", "text")
                .whereLayer("sim").mayOnlyAccessLayers("root", "text", "data")
                .whereLayer("train").mayOnlyAccessLayers("root", "text", "report", "data", "model")
                .whereLayer("reward").mayOnlyAccessLayers("root", "text", "report", "data", "model", "train")
                .whereLayer("eval").mayOnlyAccessLayers("root", "text", "report", "data", "model", "train", "reward")
                .whereLayer("experiment").mayOnlyAccessLayers("root", "text", "report", "data", "model", "sim", "train",
                        "reward", "eval")
                .whereLayer("worker").mayOnlyAccessLayers("root", "text", "report", "data", "model", "sim", "train",
                        "reward", "eval", "experiment")
                .whereLayer("bench").mayOnlyAccessLayers("root", "text", "report", "data", "model", "sim", "train",
                        "reward", "eval")
                .check(classes);
    }

    @Test
    void noPackageCycles() {
        slices().matching("plaudit.(*)..").should().beFreeOfCycles().check(classes);
        slices().matching("plaudit.train.(*)..").should().beFreeOfCycles().check(classes);
    }

    /** PPO, RLOO and later methods share {@code train.pg}; none of them reaches into another. */
    @Test
    void policyGradientMethodsShareOnlyPg() {
        noClasses().that().resideInAPackage("plaudit.train.pg..")
                .should().dependOnClassesThat().resideInAnyPackage("plaudit.train.ppo..", "plaudit.train.rloo..",
                        "plaudit.train.steer..")
                .check(classes);
        noClasses().that().resideInAPackage("plaudit.train.rloo..")
                .should().dependOnClassesThat().resideInAPackage("plaudit.train.ppo..").check(classes);
        noClasses().that().resideInAPackage("plaudit.train.ppo..")
                .should().dependOnClassesThat().resideInAPackage("plaudit.train.rloo..").check(classes);
    }
}
