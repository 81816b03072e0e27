/* Markdown for the allowlisted HTML the server renders, so an edit
 * keeps links and emphasis (the API does not return the source). */

export function htmlToMarkdown(root) {
  return blocks(root).join('\n\n').replace(/\n{3,}/g, '\n\n')
    .trim();
}

function blocks(node) {
  const out = [];
  for (const n of node.childNodes) {
    if (n.nodeType === Node.TEXT_NODE) {
      if (n.data.trim())
        out.push(escapeMd(n.data.trim()));
      continue;
    }
    if (n.nodeType !== Node.ELEMENT_NODE)
      continue;
    switch (n.tagName) {
      case 'PRE':
        out.push('```\n' + n.textContent.replace(/\n$/, '') +
          '\n```');
        break;
      case 'BLOCKQUOTE':
        out.push(blocks(n).join('\n\n').split('\n')
          .map((l) => (l ? `> ${l}` : '>')).join('\n'));
        break;
      case 'UL':
      case 'OL':
        out.push(listMd(n));
        break;
      default:
        out.push(inline(n).trim());
    }
  }
  return out.filter((s) => s !== '');
}

function listMd(list) {
  const start = Number(list.getAttribute('start')) || 1;
  return [...list.children].map((li, i) => {
    const mark = list.tagName === 'OL' ? `${start + i}. ` : '- ';
    const nested = [...li.children].some((k) =>
      /^(P|UL|OL|PRE|BLOCKQUOTE)$/.test(k.tagName));
    const text = nested ? blocks(li).join('\n\n') :
      inline(li).trim();
    return mark + text.split('\n').join(`\n${' '.repeat(mark.length)}`);
  }).join('\n');
}

function inline(node) {
  let s = '';
  for (const n of node.childNodes) {
    if (n.nodeType === Node.TEXT_NODE) {
      s += escapeMd(n.data);
      continue;
    }
    if (n.nodeType !== Node.ELEMENT_NODE)
      continue;
    switch (n.tagName) {
      case 'BR':
        s += '  \n';
        break;
      case 'EM':
        s += `*${inline(n)}*`;
        break;
      case 'STRONG':
        s += `**${inline(n)}**`;
        break;
      case 'CODE': {
        const fence = n.textContent.includes('`') ? '`` ' : '`';
        s += fence + n.textContent +
          fence.split('').reverse().join('');
        break;
      }
      case 'A': {
        const href = (n.getAttribute('href') || '')
          .replace(/ /g, '%20').replace(/\(/g, '%28')
          .replace(/\)/g, '%29');
        s += n.textContent === n.getAttribute('href') ?
          `<${href}>` : `[${inline(n)}](${href})`;
        break;
      }
      default:
        s += inline(n);
    }
  }
  return s;
}

function escapeMd(text) {
  return text.replace(/([\\`*[\]])/g, '\\$1')
    .replace(/_+/g, (run, at, all) =>
      /\w/.test(all[at - 1] || '') &&
      /\w/.test(all[at + run.length] || '') ? run :
        run.replace(/_/g, '\\_'))
    .replace(/&(?=#?\w+;)/g, '\\&')
    .replace(/^(\s*)([#>+-]|\d+[.)])(?=\s)/gm, '$1\\$2');
}
