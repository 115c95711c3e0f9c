// The graphql-http conformance audit (`serverAudits`) against a running Accord.
// Usage: node tests/browser/http-audit.mjs http://127.0.0.1:PORT
// Prints one line per audit ("ok", or its status and reason) and the totals; exits 1 when any
// MUST or SHOULD does not pass. MAY audits are reported but do not fail the run.
import { serverAudits } from 'graphql-http';

const base = process.argv[2];
if (!base) {
  console.error('usage: node http-audit.mjs <base url>');
  process.exit(2);
}

const audits = serverAudits({ url: new URL('/graphql', base).toString() });
let passed = 0;
const failures = [];
for (const audit of audits) {
  const result = await audit.fn();
  if (result.status === 'ok') {
    passed += 1;
    console.log(`ok      ${result.id} ${result.name}`);
    continue;
  }
  let detail = result.reason;
  if (result.response) {
    const body = await result.response.text().catch(() => '');
    detail += ` (status ${result.response.status}, content-type ${result.response.headers.get('content-type')}, body ${body.slice(0, 300)})`;
  }
  console.log(`${result.status.padEnd(7)} ${result.id} ${result.name}: ${detail}`);
  if (!result.name.startsWith('MAY')) {
    failures.push(result.id);
  }
}
console.log(`${passed} of ${audits.length} audits pass`);
if (failures.length > 0) {
  console.log(`MUST or SHOULD audits failing: ${failures.join(', ')}`);
  process.exit(1);
}
