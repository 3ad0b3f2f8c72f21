// A small Markdown renderer for model output, which is untrusted: it builds DOM nodes with
// createElement and textContent only (never innerHTML), so HTML in a reply shows as text and cannot run.
// Supported: paragraphs, line breaks, # headings, - / * / 1. lists, ``` code blocks, `code`, **bold**,
// *italic*, [links](https://...) (http, https and mailto only; they open in a new tab without an opener; a web
// link whose text does not name its host shows the host beside it, so "your bank" cannot hide where it goes).

const SAFE_LINK = /^(https?:\/\/|mailto:)/i;

/** Replaces the children of `target` with `text` rendered. */
export function renderMarkdown(target, text) {
  const fragment = document.createDocumentFragment();
  const lines = text.split('\n');
  let paragraph = [];
  let list = null;
  const flush = () => {
    if (paragraph.length) {
      const p = document.createElement('p');
      paragraph.forEach((line, i) => {
        if (i > 0) p.appendChild(document.createElement('br'));
        inline(p, line);
      });
      fragment.appendChild(p);
      paragraph = [];
    }
    list = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = line.match(/^\s*```/);
    if (fence) {
      flush();
      const code = [];
      for (i++; i < lines.length && !/^\s*```/.test(lines[i]); i++) code.push(lines[i]);
      const pre = document.createElement('pre');
      const c = document.createElement('code');
      c.textContent = code.join('\n');
      pre.appendChild(c);
      fragment.appendChild(pre);
      continue;
    }
    const heading = line.match(/^(#{1,6})\s+(.*)$/);
    const bullet = line.match(/^\s*[-*]\s+(.*)$/);
    const numbered = line.match(/^\s*\d+[.)]\s+(.*)$/);
    if (heading) {
      flush();
      const h = document.createElement('h' + Math.min(6, heading[1].length + 2));
      inline(h, heading[2]);
      fragment.appendChild(h);
    } else if (bullet || numbered) {
      if (paragraph.length) flush();
      const tag = bullet ? 'ul' : 'ol';
      if (!list || list.tagName.toLowerCase() !== tag) {
        list = document.createElement(tag);
        fragment.appendChild(list);
      }
      const li = document.createElement('li');
      inline(li, (bullet || numbered)[1]);
      list.appendChild(li);
    } else if (line.trim() === '') {
      flush();
    } else {
      list = null;
      paragraph.push(line);
    }
  }
  flush();
  target.replaceChildren(fragment);
}

/** Inline spans of one line: `code`, **bold**, *italic*, [text](url); everything else is text. */
/** The host an http(s) link goes to, or null. */
function webHost(href) {
  try {
    const url = new URL(href);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.host : null;
  } catch (e) {
    return null;
  }
}

function inline(parent, text) {
  const pattern = /`([^`]+)`|\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
    if (m[1] !== undefined) {
      const code = document.createElement('code');
      code.textContent = m[1];
      parent.appendChild(code);
    } else if (m[2] !== undefined) {
      const strong = document.createElement('strong');
      inline(strong, m[2]);
      parent.appendChild(strong);
    } else if (m[3] !== undefined) {
      const em = document.createElement('em');
      inline(em, m[3]);
      parent.appendChild(em);
    } else if (SAFE_LINK.test(m[5])) {
      const a = document.createElement('a');
      a.href = m[5];
      a.target = '_blank';
      a.rel = 'noopener noreferrer nofollow';
      a.textContent = m[4];
      parent.appendChild(a);
      const host = webHost(m[5]);
      if (host && !m[4].toLowerCase().includes(host.toLowerCase())) {
        const where = document.createElement('span');
        where.className = 'link-host';
        where.textContent = ' (' + host + ')';
        parent.appendChild(where);
      }
    } else {
      parent.appendChild(document.createTextNode(m[0])); // javascript:, data: and the like stay text
    }
    last = m.index + m[0].length;
  }
  if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
}
