// Builds DOM nodes from data without innerHTML, so names and labels from the API are always text.

/**
 * h('a', { href: '/ui', class: 'x' }, 'text', child) creates an element. Attributes starting with "on" are
 * listeners; `null`, `undefined` and `false` children and attributes are skipped; arrays are flattened.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === 'href' && !safeHref(String(value))) {
      continue;
    } else if (name === 'dataset') {
      Object.assign(element.dataset, value);
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces the children of `element` with `children`. */
export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

/** A section with a heading, used by every page. */
export function section(title, attributes, ...children) {
  return h('section', { class: 'panel', ...attributes }, h('h2', {}, title), ...children);
}

/** A table from column headers and rows of cells; `empty` is shown when there are no rows. */
export function table({ columns, rows, empty, attributes }) {
  if (rows.length === 0) return h('p', { class: 'muted empty' }, empty);
  return h('table', { class: 'grid', ...attributes },
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows));
}

/** Only links within the UI or to http(s) addresses: never javascript:, data: or other schemes from the data. */
export function safeHref(href) {
  if (href.startsWith('/') && !href.startsWith('//')) return true;
  try {
    const url = new URL(href);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
