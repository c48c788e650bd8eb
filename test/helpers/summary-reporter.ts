// Prints one plain closing line, `tests: N passed, M failed, K skipped`, after vitest's own summary,
// so that any CI reading logs sees the count without parsing vitest's colours. The line must never
// say "0 failed" for a run that failed: a test file that fails outside its tests (an import that
// throws, a failing hook) counts as one failure, so does every unhandled error, and a run vitest
// itself calls failed or interrupted counts at least one failure whatever the tallies say.
import type { Reporter, SerializedError, TestModule, TestRunEndReason } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>, reason: TestRunEndReason): void {
    const count = { passed: 0, failed: 0, skipped: 0, pending: 0 };
    let brokenFiles = 0;
    for (const module of testModules) {
      let failedTests = 0;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        count[state]++;
        if (state === 'failed') failedTests++;
      }
      if (module.state() === 'failed' && failedTests === 0) brokenFiles++;
    }
    count.failed += brokenFiles + unhandledErrors.length;
    const unexplained = reason !== 'passed' && count.failed === 0 ? 1 : 0;
    count.failed += unexplained;
    const why = [
      brokenFiles ? `${brokenFiles} test file${brokenFiles > 1 ? 's' : ''} failed outside any test` : '',
      unhandledErrors.length ? `${unhandledErrors.length} unhandled error${unhandledErrors.length > 1 ? 's' : ''}` : '',
      unexplained ? `the run ended '${reason}'` : '',
    ]
      .filter(Boolean)
      .join(', ');
    process.stdout.write(`\n${why ? `(failures include: ${why})\n` : ''}tests: ${count.passed} passed, ${count.failed} failed, ${count.skipped} skipped\n`);
  }
}
