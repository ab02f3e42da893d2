import type { Reporter, TestCase, TestModule } from 'vitest/node';

/**
 * Ends the run with one plain line, `N passed, N failed, N skipped`, that CI can
 * read whatever the default reporter's colours and layout.
 *
 * A test that was meant to run but did not because its file or a hook failed
 * (a `beforeAll` that threw leaves every test "skipped") counts as failed, and a
 * failed file without any failed test (an `afterAll` error, an import error)
 * counts once as failed: a file whose hooks fail must never look green.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      const moduleFailed = module.state() === 'failed';
      let failedHere = 0;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed' || (state === 'skipped' && hookFailedAbove(test))) failedHere++;
        else skipped++;
      }
      if (moduleFailed && failedHere === 0) failedHere = 1;
      failed += failedHere;
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}

/** Whether a suite around the test, or its file, has errors of its own (a hook that threw). */
function hookFailedAbove(test: TestCase): boolean {
  for (let parent = test.parent; ; parent = parent.parent) {
    if (parent.errors().length > 0) return true;
    if (parent.type === 'module') return false;
  }
}
