// GraphiQL in a real Chromium against a running Accord, offline: every request that leaves the
// server's origin is blocked and fails the run. Run by tests/browser.rs; alone:
//
//   node tests/browser/graphiql.mjs <base url> <access token> <user id> <since trigger id>
//
// Steps (each printed as it passes): the page loads with no CSP violation or script error; the
// documentation explorer shows `Query` (the schema came by introspection); `{ me { id } }` with
// the token typed into the Headers tab answers with the user's id (the `Authorization` header
// went with the HTTP request); a `playTriggers(since: …)` subscription opens a WebSocket whose
// `connection_init` carries the token, then the script prints `SUBSCRIBED` and waits (up to
// ACCORD_BROWSER_WAIT_SECS, 60 s) for a trigger after `since` to show in the result pane,
// printing `TRIGGER <id> <kind> <lead id>`. On failure it saves a screenshot and prints its path.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [base, token, userId, since] = process.argv.slice(2);
if (!base || !token || !userId || !since) {
  console.error('usage: node graphiql.mjs <base url> <access token> <user id> <since trigger id>');
  process.exit(2);
}
const origin = new URL(base).origin;
const waitMs = Number(process.env.ACCORD_BROWSER_WAIT_SECS || 60) * 1000;
const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const problems = [];
const step = (text) => console.log(`ok ${text}`);

const browser = await chromium.launch({
  executablePath,
  headless: true,
  // Chromium's sandbox refuses to start as root (CI containers).
  args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
});
const page = await browser.newPage();
try {
  await run(page);
  console.log('PASS');
} catch (error) {
  const dir = mkdtempSync(join(tmpdir(), 'accord-graphiql-'));
  const shot = join(dir, 'failure.png');
  await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
  console.log(`FAIL ${error && error.stack ? error.stack : error}`);
  console.log(`problems seen: ${JSON.stringify(problems)}`);
  console.log(`screenshot: ${shot}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}

async function run(page) {
  // Offline: nothing may come from anywhere but this server.
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('data:') || new URL(url).origin === origin) {
      return route.continue();
    }
    problems.push(`request to another origin: ${url}`);
    return route.abort();
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  const httpAuthorizations = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/graphql') {
      const body = request.postData() || '';
      if (body.includes('me {')) httpAuthorizations.push(request.headers().authorization);
    }
  });
  await page.goto(`${base}/graphiql`);
  await page.locator('.graphiql-container').waitFor();
  assertNoProblems('the page loads');
  step('GraphiQL loaded from the server alone');

  await page.getByLabel('Show Documentation Explorer').click();
  await page
    .locator('.graphiql-doc-explorer')
    .getByText('Query', { exact: true })
    .first()
    .waitFor();
  step('the documentation explorer shows Query');

  await page.getByText('Headers', { exact: true }).click();
  await setEditor(page, '.graphiql-editor-tool', JSON.stringify({ Authorization: `Bearer ${token}` }));
  await setEditor(page, '.graphiql-query-editor', '{ me { id } }');
  await runOperation(page);
  const answer = await waitForResult(page, 'me');
  if (answer.data.me.id !== userId) throw new Error(`me answered ${JSON.stringify(answer)}`);
  if (httpAuthorizations[0] !== `Bearer ${token}`) {
    throw new Error(`the HTTP request carried authorization ${httpAuthorizations[0]}`);
  }
  step('a query with the bearer header answers');

  await setEditor(
    page,
    '.graphiql-query-editor',
    `subscription { playTriggers(since: "${since}") { id kind lead { id } } }`,
  );
  // Listening from the socket's birth: connection_init leaves as soon as it opens.
  const initSent = new Promise((resolve) => {
    page.on('websocket', (socket) => {
      socket.on('framesent', (frame) => {
        const message = JSON.parse(frame.payload);
        if (message.type === 'connection_init') resolve({ url: socket.url(), message });
      });
    });
  });
  await runOperation(page);
  let timer;
  const init = await Promise.race([
    initSent,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('no WebSocket connection_init within 15 s')), 15000);
    }),
  ]).finally(() => clearTimeout(timer));
  if (new URL(init.url).pathname !== '/graphql/ws') throw new Error(`socket to ${init.url}`);
  const initPayload = init.message.payload;
  if (initPayload.authorization !== `Bearer ${token}`) {
    throw new Error(`connection_init carried ${JSON.stringify(initPayload)}`);
  }
  console.log('SUBSCRIBED');
  const pushed = await waitForResult(page, 'playTriggers', waitMs);
  const trigger = pushed.data.playTriggers;
  console.log(`TRIGGER ${trigger.id} ${trigger.kind} ${trigger.lead ? trigger.lead.id : '-'}`);
  assertNoProblems('the session');
  step('the subscription received the trigger');
}

function assertNoProblems(when) {
  if (problems.length > 0) throw new Error(`${when}: ${problems.join('; ')}`);
}

// GraphiQL 4's editors are CodeMirror 5 instances; CodeMirror keeps itself on its element.
async function setEditor(page, container, text) {
  const editor = page.locator(`${container} .CodeMirror:visible`).first();
  await editor.waitFor();
  await editor.evaluate((element, value) => element.CodeMirror.setValue(value), text);
}

async function runOperation(page) {
  await page.locator('.graphiql-execute-button').click();
}

// The result pane's JSON once its `data` holds `field`.
async function waitForResult(page, field, timeout = 15000) {
  try {
    const handle = await page.waitForFunction(
      (name) => {
        const element = document.querySelector('.graphiql-response .CodeMirror');
        try {
          const result = JSON.parse(element.CodeMirror.getValue());
          return result.data && result.data[name] ? result : null;
        } catch {
          return null;
        }
      },
      field,
      { timeout },
    );
    return await handle.jsonValue();
  } catch (error) {
    const shown = await page
      .locator('.graphiql-response .CodeMirror')
      .evaluate((element) => element.CodeMirror.getValue())
      .catch(() => '');
    throw new Error(`no ${field} in the result pane, which shows ${shown}: ${error.message}`);
  }
}
