// The widget's weight: what readers download, gzipped as the server does
// (zlib level 9).
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const assets = path.resolve(__dirname, '..', '..', 'assets');
const gzipped = (name) => zlib.gzipSync(fs.readFileSync(path.join(assets, name)),
  { level: 9 }).length;

test('embed.js, its CSS included, is at most 12 kB gzipped', () => {
  const n = gzipped('embed.js');
  assert.ok(n <= 12288, `embed.js is ${n} bytes gzipped`);
});

test('count.js is at most 1 kB gzipped', () => {
  const n = gzipped('count.js');
  assert.ok(n <= 1024, `count.js is ${n} bytes gzipped`);
});

test('the widget needs no other file: no CSS or script fetched besides itself', () => {
  const src = fs.readFileSync(path.join(assets, 'embed.js'), 'utf8');
  assert.doesNotMatch(src, /\bimport\s*\(|<link|\.css['"]/);
});
