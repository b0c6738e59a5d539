package io.github.sshfleet.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Marks a test class or method that needs the real sshd fleet ({@link SshdFleet}). Where the fleet cannot run (not
 * root, sshd or sudo missing), every such test is reported as skipped with the reason, test by test, and no
 * {@code @BeforeAll} of the class runs; with {@code SSH_FLEET_REQUIRE_SSHD} set (CI as root) they run and fail
 * instead of skipping.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresSshd.Condition.class)
public @interface RequiresSshd {

    /** Evaluated per class and per test: cheap after the first call (the fleet starts once per JVM). */
    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            String unavailable = SshdFleet.unavailableReason();
            return unavailable == null
                    ? ConditionEvaluationResult.enabled("the sshd test fleet is running")
                    : ConditionEvaluationResult.disabled("SKIPPED (needs the real sshd fleet): " + unavailable
                            + ". Run the full suite as root: sudo bash .ci/run");
        }
    }
}
