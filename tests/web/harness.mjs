// The browser tests' checks (ui.test.mjs, brief.test.mjs): each check runs,
// prints "ok NAME (N ms)" or "FAIL NAME: first line of the error", and is
// counted; finish() prints "N passed, N failed" and exits 1 on any failure.
let passed = 0;
let failed = 0;

export async function check(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${(e && e.message ? e.message : String(e)).split('\n')[0]}`);
  }
}

export function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

export function finish() {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
