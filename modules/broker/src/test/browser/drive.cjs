// Drives the test page in headless chromium: node drive.cjs PAGE_URL CHROMIUM_PATH (NODE_PATH = the npm install dir).
// Prints "subscribed" once the page is subscribed, then (after the messages arrived, or at the deadline) the page's
// result as one JSON line, and exits 0 when the page got both messages, 1 otherwise.
const { chromium } = require('playwright-core');

const [pageUrl, executablePath] = process.argv.slice(2);

(async () => {
  const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
  let ok = false;
  try {
    const page = await browser.newPage();
    page.on('console', (m) => console.error('page: ' + m.text()));
    await page.goto(pageUrl);
    await page.waitForFunction(() => window.result.subscribed || window.result.errors.length > 0, null, { timeout: 20000 });
    console.log('subscribed');
    await page.waitForFunction(() => window.result.received.length >= 2 || window.result.errors.length > 0, null,
      { timeout: 20000 }).catch(() => {});
    const result = await page.evaluate(() => window.result);
    console.log(JSON.stringify(result));
    ok = result.errors.length === 0 && result.received.length >= 2;
  } finally {
    await browser.close();
  }
  process.exit(ok ? 0 : 1);
})().catch((e) => {
  console.error(e);
  process.exit(2);
});
