// The Users section of the moderators' page (/admin), in Chromium against
// a real Parley: the role menu asks before it changes anyone's role, not
// only one's own; saying no leaves the role as it was, on the page and on
// the server.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./admin-helpers');

const { ADMIN, READER } = h;
let srv;
let browser;

before(async () => {
  ({ srv, browser } = await h.setup({ name: 'browser-roles' }));
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

async function roleOf(email) {
  const tok = await h.token(srv, ADMIN);
  const { users } = await h.adminGet(srv, tok, `/api/v1/admin/users?q=${encodeURIComponent(email)}`);
  return users.find((u) => u.email === email).role;
}

test('changing another account\'s role asks first; no keeps it', async () => {
  const asked = [];
  let answer = false;
  const { context, page, problems } = await h.openPage(browser, srv, {
    onDialog: (d) => {
      asked.push({ type: d.type(), message: d.message() });
      return answer ? d.accept() : d.dismiss();
    },
  });
  try {
    await h.loginAsModerator(page, ADMIN);
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    const menu = page.getByLabel(`Role of ${READER.name}`);
    await menu.waitFor();

    await menu.selectOption('admin');
    await h.eventually(() => assert.equal(asked.length, 1));
    assert.equal(asked[0].type, 'confirm');
    assert.match(asked[0].message, new RegExp(`^Make ${READER.name} an admin \\(now a reader\\)\\?`));
    assert.match(asked[0].message, /logged out/);
    assert.equal(await menu.inputValue(), 'reader', 'the menu shows the role again');
    assert.equal(await roleOf(READER.email), 'reader', 'nothing changed');

    answer = true;
    await menu.selectOption('moderator');
    await h.eventually(async () => assert.equal(await page.locator('#status').textContent(),
      `${READER.name} is now a moderator.`));
    assert.equal(asked.length, 2);
    assert.match(asked[1].message, new RegExp(`^Make ${READER.name} a moderator \\(now a reader\\)\\?`));
    assert.equal(await roleOf(READER.email), 'moderator');
    assert.deepEqual(problems, [], 'the page logged errors');
  } finally {
    await context.close();
  }
});
